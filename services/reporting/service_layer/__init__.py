"""Reporting's use cases: applying outcomes' changes, and reading reports."""
