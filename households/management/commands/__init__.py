"""Management commands of the households app."""
