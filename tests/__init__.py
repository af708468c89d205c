"""Doorstep's tests: they mirror the apps; tests/browser drives a real Chromium."""
