"""Intake's HTTP API (api.md, "Intake")."""
