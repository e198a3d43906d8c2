"""Deriving a participant's record from its events, free of I/O."""
