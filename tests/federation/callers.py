"""People and systems calling a node's API over HTTP, as they would from outside: a system
with its organisation's API token, or a person signed in to the node's pages with their
password and second factor (their browser's session and CSRF token)."""

import http.cookiejar
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request

from django_otp.oath import TOTP

from trm.demo import DEMO_PASSWORD


class Caller:
    """A system with its organisation's API token, or a person's signed-in browser, calling one
    node's API over HTTP; `case` is the case it is calling about."""

    def __init__(self, address: str, token: str | None = None, cookies=None):
        self.address, self.token, self.cookies = address, token, cookies
        handlers = [urllib.request.HTTPCookieProcessor(cookies)] if cookies is not None else []
        self.opener = urllib.request.build_opener(*handlers)
        self.case = None

    def __call__(self, method: str, path: str, body=None, expect=200):
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        elif method != "GET":
            headers["X-CSRFToken"] = next(c.value for c in self.cookies if c.name == "csrftoken")
        data = None if body is None else json.dumps(body).encode()
        if data is not None:
            headers["Content-Type"] = "application/json"
        asked = urllib.request.Request(self.address + path, data, headers, method=method)  # noqa: S310
        try:
            with self.opener.open(asked, timeout=30) as answer:
                status, content = answer.status, answer.read()
        except urllib.error.HTTPError as refused:
            status, content = refused.code, refused.read()
        found = json.loads(content) if content else None
        assert status == expect, (method, path, status, found)
        return found

    def record(self, kind: str, data: dict) -> dict:
        body = {"kind": kind, "data": data}
        return self("POST", f"/api/cases/{self.case}/records", body, expect=201)

    def move(self, event: str, data=None) -> dict:
        version = self("GET", f"/api/cases/{self.case}")["version"]
        body = {"version": version, "data": data}
        return self("POST", f"/api/cases/{self.case}/moves/{event}", body)

    def thread(self, referral) -> list[dict]:
        return self("GET", f"/api/referrals/{referral}/thread")


def signed_in(address: str, username: str, authenticator: str) -> Caller:
    """A person signed in to the node's pages with their password and second factor."""
    cookies = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
    totp = TOTP(bytes.fromhex(authenticator))
    totp.time = time.time()
    for path, fields, then in (
        ("/accounts/login/", {"username": username, "password": DEMO_PASSWORD}, "/login/code/"),
        ("/accounts/login/code/", {"code": f"{totp.token():06d}"}, "/"),
    ):
        with browser.open(address + path, timeout=30) as page:  # noqa: S310
            form = page.read().decode()
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[1]
        sent = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": csrf}).encode()
        with browser.open(address + path, sent, timeout=30) as page:  # noqa: S310
            assert page.url.endswith(then), f"not signed in at {path}"
    return Caller(address, cookies=cookies)
