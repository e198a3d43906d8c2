"""Stegvis benchmarks (issue #7): each measures the project beside the bare limit, in one run.

Not tests: nothing here is collected by pytest. Run `bench/run` (or `bench/run --quick`).
"""
