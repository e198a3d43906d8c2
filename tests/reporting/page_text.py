"""Reading a report page as a reader sees it: its text, and a table row by its label."""

import html
import re


def text(page: str) -> str:
    """What a reader sees: the text without tags, whitespace (no-break too) as one space."""
    page = re.sub(r"<(style|title)>.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page))).strip()


def row(page: str, label: str) -> list[str]:
    """The cells of the first table row headed `label`."""
    for found in re.findall(r"<tr[^>]*>(.*?)</tr>", page, flags=re.S):
        cells = [text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", found, re.S)]
        if cells and cells[0] == label:
            return cells[1:]
    raise AssertionError(f"no row {label!r}")
