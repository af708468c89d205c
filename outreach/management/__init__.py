"""Management commands of the outreach app."""
