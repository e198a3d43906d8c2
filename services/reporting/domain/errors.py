"""What a report query can be refused for; the API and the pages each word it their way."""


class UnknownInsats(LookupError):
    def __init__(self, insats_id: str) -> None:
        super().__init__(f"no insats {insats_id!r}")
        self.insats_id = insats_id


class InvalidReportQuery(ValueError):
    """A query parameter that is well-formed but cannot be answered (e.g. a month of
    another year); `field` names the parameter."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
