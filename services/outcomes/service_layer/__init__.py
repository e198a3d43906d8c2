"""Use cases: applying a batch of intake events in one transaction."""
