"""Outcomes: turns intake's events into one record per participant (classified exit, step
movement) and publishes every change of a record for reporting."""
