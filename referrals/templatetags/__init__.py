"""Template tags of the referral pages."""
