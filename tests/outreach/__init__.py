"""Tests of outreach: signals, scoring, the inbox, visits, cases, pairings, dashboards."""
