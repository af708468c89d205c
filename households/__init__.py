"""The registry and who may see it: districts, dongs, households, people, roles, the access log."""
