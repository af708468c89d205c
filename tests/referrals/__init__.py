"""Tests of referrals: forms, the public report, the API, scoping, service links."""
