"""Benchmarks: a national-scale dataset and measurements against a same-run baseline.

Run everything with ``bash bench/run``; see docs/benchmarks.md for the latest figures.
"""
