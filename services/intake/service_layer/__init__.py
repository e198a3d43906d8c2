"""Intake's use cases: each command in one unit of work, at most once per Idempotency-Key."""
