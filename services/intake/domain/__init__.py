"""Intake's rules, free of I/O: what a command may do given the stored state."""
