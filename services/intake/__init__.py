"""Intake: validates registrations, keeps the event log (the source of truth), publishes it."""
