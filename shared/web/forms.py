"""Reading a plain HTML form: the url-encoded body into each input's values."""

from urllib.parse import parse_qs

from fastapi import Request

FormData = dict[str, list[str]]
"""Each input's values as sent (checkboxes send several)."""


async def read_form(request: Request) -> FormData:
    """The url-encoded body (its size is bounded by the app's body limit)."""
    body = (await request.body()).decode("utf-8", "replace")
    return parse_qs(body, keep_blank_values=True)


def first(form: FormData, name: str) -> str:
    return form.get(name, [""])[0].strip()
