"""Benchmarks of the dashboards and list pages: bench_dashboard, bench_pages."""
