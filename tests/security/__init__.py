"""Security tests: the API under schemathesis, every door to the access log, RRNs nowhere."""
