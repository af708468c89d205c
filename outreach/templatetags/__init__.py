"""Template tags of the outreach pages."""
