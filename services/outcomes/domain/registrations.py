"""A participant's registration: the code in one insats. Outcomes keeps events, record and
summary per registration, so a code moved on to another insats has a record in each."""

SEPARATOR = "/"
"""Neither an insats id nor a code has one."""


def registration_key(insats_id: str, participant_id: str) -> str:
    return f"{insats_id}{SEPARATOR}{participant_id}"
