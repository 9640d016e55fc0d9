"""The pages the benchmark asks for, and how it times them: through the Django test client,
over HTTP against `trm serve`, and as the raw database time of the same queries.

To measure a new page, add a Page to PAGES: its path (and the values of its body, if it is
sent by POST) may name {case}, {name}, {stage} and {page}, filled from the loaded data for each
request. A search is a POST: a name never travels in a URL.
"""

import http.client
import json
import statistics
import time
import urllib.parse
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.utils.crypto import get_random_string

STAGES = ("first_assistance", "long_term_assistance", "monitoring", "closed")


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    persona: str = "worker"  # worker, supervisor, focal_point
    body: dict | None = None  # sent by POST: as JSON to the API, as a form to the pages

    @property
    def method(self) -> str:
        return "GET" if self.body is None else "POST"


@dataclass(frozen=True)
class Request:
    """One request of a page, its placeholders filled: what the timers send."""

    method: str
    path: str
    body: bytes = b""
    content_type: str = ""

    def with_csrf(self, token: str) -> tuple["Request", dict]:
        """The request as a browser with `token` in its CSRF cookie sends it, and the headers
        it adds: the token in the form, or in the X-CSRFToken header for the API."""
        if self.method == "GET":
            return self, {}
        if self.content_type == "application/json":
            return self, {"X-CSRFToken": token}
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": token}).encode()
        return Request(self.method, self.path, self.body + b"&" + form, self.content_type), {}


PAGES = [
    Page("home: my work (case worker)", "/"),
    Page("home: my work (supervisor)", "/", "supervisor"),
    Page("home: referrals (focal point)", "/", "focal_point"),
    Page("case list", "/cases/"),
    Page("case list, page 10", "/cases/?page=10"),
    Page("case list by stage", "/cases/?stage={stage}"),
    Page("case list filtered (API)", "/api/cases/?stage={stage}"),
    Page("name search", "/cases/", body={"q": "{name}"}),
    Page("name search (API)", "/api/cases/search", body={"name": "{name}"}),
    Page("case page", "/cases/{case}/"),
    Page("directory", "/directory/"),
]


@dataclass
class Sample:
    """What the data offers the paths: visible cases and their people's names."""

    cases: list
    names: list
    index: int = 0

    def request(self, page: Page) -> Request:
        """The page's next request: the path and body filled from the next sample."""
        self.index += 1
        values = {
            "case": self.cases[self.index % len(self.cases)],
            "name": self.names[self.index % len(self.names)],
            "stage": STAGES[self.index % len(STAGES)],
            "page": 1 + self.index % 10,
        }
        path = page.path.format(
            **{key: urllib.parse.quote(str(value)) for key, value in values.items()}
        )
        if page.body is None:
            return Request("GET", path)
        body = {key: value.format(**values) for key, value in page.body.items()}
        if path.startswith("/api/"):
            return Request("POST", path, json.dumps(body).encode(), "application/json")
        form = urllib.parse.urlencode(body).encode()
        return Request("POST", path, form, "application/x-www-form-urlencoded")


@dataclass
class Timing:
    milliseconds: list = field(default_factory=list)
    statuses: set = field(default_factory=set)

    def summary(self) -> dict:
        values = sorted(self.milliseconds)
        if not values:
            return {}
        p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
        return {
            "median_ms": round(statistics.median(values), 1),
            "p95_ms": round(p95, 1),
            "requests": len(values),
            "statuses": sorted(self.statuses),
        }


def send(client, request: Request):
    """The request through the Django test client (which skips the CSRF check, as for tests)."""
    if request.method == "GET":
        return client.get(request.path)
    return client.generic(request.method, request.path, request.body, request.content_type)


def through_client(client, page: Page, sample: Sample, requests: int, warm_up: int = 2):
    timing = Timing()
    for number in range(warm_up + requests):
        request = sample.request(page)
        started = time.perf_counter()
        response = send(client, request)
        elapsed = (time.perf_counter() - started) * 1000
        if number >= warm_up:
            timing.milliseconds.append(elapsed)
            timing.statuses.add(response.status_code)
    return timing


def through_http(port: int, cookie: str, page: Page, sample: Sample, requests: int, warm_up=2):
    """The same page from `trm serve`, over one kept-alive connection. A POST carries a CSRF
    token as a browser's does: the same in its cookie and in the form (or header)."""
    timing = Timing()
    token = get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS)
    cookie = f"{cookie}; {settings.CSRF_COOKIE_NAME}={token}"
    server = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        for number in range(warm_up + requests):
            request, headers = sample.request(page).with_csrf(token)
            if request.content_type:
                headers["Content-Type"] = request.content_type
            started = time.perf_counter()
            server.request(
                request.method,
                request.path,
                body=request.body or None,
                headers={"Cookie": cookie, **headers},
            )
            response = server.getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
            if number >= warm_up:
                timing.milliseconds.append(elapsed)
                timing.statuses.add(response.status)
    finally:
        server.close()
    return timing


class QueryRecorder:
    """Keeps every statement a request sends to the database, with its parameters."""

    def __init__(self):
        self.statements = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, params, many))
        return execute(sql, params, many, context)


def database_time(client, page: Page, sample: Sample, repeats: int = 10) -> dict:
    """The page's SELECTs replayed straight on the database: its share of the page's time.

    Writes (the audit event of a read, the session) are counted, not replayed: replaying them
    would append to the audit chain."""
    recorder = QueryRecorder()
    with connection.execute_wrapper(recorder):
        send(client, sample.request(page))
    reads = [(sql, params) for sql, params, many in recorder.statements
             if not many and sql.lstrip().upper().startswith(("SELECT", "WITH"))]  # fmt: skip
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for sql, params in reads:
                cursor.execute(sql, params)
                cursor.fetchall()
        samples.append((time.perf_counter() - started) * 1000)
    return {
        "queries": len(recorder.statements),
        "writes": len(recorder.statements) - len(reads),
        "database_ms": round(statistics.median(samples), 2),
    }
