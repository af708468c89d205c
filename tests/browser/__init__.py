"""Browser tests: the flows people click through, in Debian's chromium via Playwright."""
