"""Management commands of the outreach app: seed_demo, import_signals, bench_signals."""
