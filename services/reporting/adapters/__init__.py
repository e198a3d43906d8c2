"""Reporting's tables and the SQL implementations of the service layer's ports."""
