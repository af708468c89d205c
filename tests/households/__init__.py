"""Tests of the registry: scoping, the access log, RRNs, addresses, settings, sign-in."""
