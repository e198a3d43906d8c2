"""Reporting's pure logic: contributions of a record, periods, and the report built from them."""
