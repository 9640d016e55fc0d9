"""The people of a TRM node at work, for locust: run through `python -m benchmarks.load`.

Each simulated user signs in through the real login (password, then a TOTP code computed from
its authenticator's key) with an account of its own that benchmarks.load prepared, then works
with a few seconds' thought between requests. Requests are named by page, so locust's table
has one row per kind of page. It refuses any host but 127.0.0.1: it is never pointed at a
node people use.

No Django here: locust's gevent patches the standard library, and the server is measured from
outside, as browsers see it.
"""

import hashlib
import hmac
import itertools
import json
import os
import random
import re
import struct
import time
import urllib.parse
from pathlib import Path

from locust import HttpUser, between, events, task

ACCOUNTS = json.loads(Path(os.environ["TRM_LOAD_ACCOUNTS"]).read_text())
# Seconds a person spends between two requests: reading, typing, on the phone.
THINK = tuple(float(seconds) for seconds in os.environ.get("TRM_LOAD_THINK", "1-4").split("-"))
STAGES = ("first_assistance", "options_counselling", "long_term_assistance", "monitoring")
DIRECTORY_WORDS = ("shelter", "legal", "children", "health", "IOM", "psychological", "")
COUNTRIES = ("AL", "ES", "FR", "GR", "IT", "MA", "PL", "UA")
REFERRAL_LINK = re.compile(r'href="/referrals/([0-9a-f-]{36})/"')
ORGANISATION_LINK = re.compile(r'href="/directory/organisations/(\d+)/"')


@events.init.add_listener
def only_this_machine(environment, **_kwargs):
    host = urllib.parse.urlsplit(environment.host or "").hostname
    if host != "127.0.0.1":
        raise SystemExit(f"the trm load test runs against 127.0.0.1 only, not {host!r}")


def totp(key_hex: str, at: float, step: int = 30, digits: int = 6) -> str:
    """RFC 6238, as django-otp's TOTPDevice checks it (SHA-1, 30 s, 6 digits)."""
    counter = struct.pack(">Q", int(at) // step)
    digest = hmac.new(bytes.fromhex(key_hex), counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


class Staff(HttpUser):
    abstract = True
    role = ""
    wait_time = between(*THINK)
    _numbers = {}

    def on_start(self):
        # Each simulated user its own account: a TOTP code is accepted once only.
        counter = Staff._numbers.setdefault(self.role, itertools.count())
        self.account = ACCOUNTS[self.role][next(counter) % len(ACCOUNTS[self.role])]
        self.sign_in()

    def sign_in(self):
        self.client.get("/accounts/login/", name="sign in: form")
        self.post(
            "/accounts/login/",
            {"username": self.account["username"], "password": self.account["password"]},
            name="sign in: password",
            lands_on="/accounts/login/code/",
        )
        self.post(
            "/accounts/login/code/",
            {"code": totp(self.account["totp_key"], time.time())},
            name="sign in: code",
            lands_on="/",
        )

    def post(self, path, data, name, lands_on=None, headers=None):
        """A form sent as the browser sends it (CSRF token from its cookie); a failure if the
        answer is an error or, after the redirects, not the page expected."""
        token = self.client.cookies.get("csrftoken", "")
        with self.client.post(path, data={**data, "csrfmiddlewaretoken": token}, name=name,
                              headers=headers, catch_response=True) as response:  # fmt: skip
            if response.status_code >= 400:
                response.failure(f"status {response.status_code}")
            elif lands_on and urllib.parse.urlsplit(response.url).path != lands_on:
                response.failure(f"landed on {urllib.parse.urlsplit(response.url).path}")

    def a_case(self):
        return random.choice(self.account["cases"]) if self.account["cases"] else None

    def open_case(self):
        case = self.a_case()
        if case:
            self.client.get(f"/cases/{case}/", name="case page")

    @task(3)
    def my_work(self):
        self.client.get("/", name="home: my work")

    @task(1)
    def notifications(self):
        self.client.get("/notifications/", name="notifications")


class CaseStaff(Staff):
    """Who works on the organisation's cases: the lists are their way in."""

    abstract = True

    @task(2)
    def case_list(self):
        self.client.get("/cases/", name="case list")

    @task(1)
    def case_list_filtered(self):
        self.client.get(f"/cases/?stage={random.choice(STAGES)}", name="case list: by stage")


class CaseWorker(CaseStaff):
    role = "case_worker"
    weight = 60

    @task(5)
    def case_page(self):
        self.open_case()

    @task(1)
    def case_list_later_page(self):
        self.client.get(f"/cases/?page={random.randint(2, 10)}", name="case list: later page")

    @task(1)
    def name_search(self):
        # By POST, as the page's search form sends it: a name never goes in a URL.
        if self.account["names"]:
            name = random.choice(self.account["names"])
            self.post("/cases/", {"q": name}, name="case list: name search", lands_on="/cases/")

    @task(1)
    def consent(self):
        case = self.a_case()
        if case:
            self.client.get(f"/consent/cases/{case}/", name="consent page")

    @task(1)
    def add_note(self):
        case = self.a_case()
        if case:
            self.post(
                f"/cases/{case}/notes/",
                {"text": "Called to confirm tomorrow's appointment (load test)."},
                name="add a note",
                headers={"HX-Request": "true"},  # as the page's htmx sends it
            )


class FocalPoint(Staff):
    role = "focal_point"
    weight = 20
    referrals = ()

    @task(3)
    def inbox(self):
        response = self.client.get("/referrals/", name="referral inbox")
        self.referrals = REFERRAL_LINK.findall(response.text)[:20] or self.referrals

    @task(3)
    def referral(self):
        if self.referrals:
            self.client.get(f"/referrals/{random.choice(self.referrals)}/", name="referral thread")

    @task(2)
    def case_page(self):
        self.open_case()

    @task(1)
    def directory(self):
        self.client.get(f"/directory/?q={random.choice(DIRECTORY_WORDS)}", name="directory")


class Supervisor(CaseStaff):
    role = "supervisor"
    weight = 15

    @task(2)
    def approvals(self):
        self.client.get("/cases/approvals/", name="approvals")

    @task(3)
    def case_page(self):
        self.open_case()


class Coordinator(Staff):
    role = "coordinator"
    weight = 5
    organisations = ()

    @task(3)
    def directory(self):
        response = self.client.get(
            f"/directory/?q={random.choice(DIRECTORY_WORDS)}", name="directory"
        )
        self.organisations = ORGANISATION_LINK.findall(response.text) or self.organisations

    @task(2)
    def organisation(self):
        if self.organisations:
            self.client.get(
                f"/directory/organisations/{random.choice(self.organisations)}/",
                name="organisation page",
            )

    @task(2)
    def country(self):
        self.client.get(f"/directory/countries/{random.choice(COUNTRIES)}/", name="country page")
