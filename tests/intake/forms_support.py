"""The staff forms as a browser without JavaScript sees them, for intake's form tests."""

import re

import httpx

from shared.contract.events import IntakeEvent

PASSWORD = "ett långt lösenord 42"
_HIDDEN = re.compile(r'<input type="hidden" name="(csrf_token|form_key|next)" value="([^"]*)"')


class Staff:
    """A browser without JavaScript: the cookie jar of the client, and the hidden inputs of
    the form it opened last."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.hidden: dict[str, str] = {}

    async def log_in(
        self, username: str, password: str = PASSWORD, next_: str = ""
    ) -> httpx.Response:
        # As a browser does: the login form first, for its CSRF token and cookie.
        await self.open("/logga-in")
        return await self.client.post(
            "/logga-in",
            data={
                "username": username,
                "password": password,
                "next": next_,
                "csrf_token": self.hidden["csrf_token"],
            },
        )

    async def open(self, path: str) -> httpx.Response:
        page = await self.client.get(path)
        assert page.status_code == 200, page.text
        self.hidden = dict(_HIDDEN.findall(page.text))
        return page

    async def submit(self, path: str, fields: dict, **hidden: str) -> httpx.Response:
        return await self.client.post(path, data=self.hidden | hidden | fields)


async def ok(response: httpx.Response) -> dict:
    assert response.status_code in (200, 201), response.text
    return response.json()


async def registered(intake) -> list[IntakeEvent]:
    return [event for _, event in await intake.logged_events() if event.type != "InsatsDefined"]


async def start(staff: Staff, **fields: str) -> str:
    await staff.open("/insatser/a/ny-deltagare")
    page = await staff.submit(
        "/insatser/a/ny-deltagare", {"start_date": "2025-02-03", "gender": "kvinna"} | fields
    )
    assert page.status_code == 201, page.text
    return re.search(r'<span class="code">([A-Z0-9-]+)</span>', page.text)[1]


def alerts(page: httpx.Response) -> list[str]:
    return [
        " ".join(text.split()) for text in re.findall(r'class="error"[^>]*>([^<]*)<', page.text)
    ]
