"""Reporting's use cases: applying outcomes' changes and intake's access changes, and reading
reports."""
