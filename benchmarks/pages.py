"""The pages the benchmark asks for, and how it times them: through the Django test client,
over HTTP against `trm serve`, and as the raw database time of the same queries.

To measure a new page, add a Page to PAGES: its path may name {case}, {name}, {stage} and
{page}, filled from the loaded data for each request.
"""

import http.client
import statistics
import time
import urllib.parse
from dataclasses import dataclass, field

from django.db import connection

STAGES = ("first_assistance", "long_term_assistance", "monitoring", "closed")


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    persona: str = "worker"  # worker, supervisor, focal_point


PAGES = [
    Page("home: my work (case worker)", "/"),
    Page("home: my work (supervisor)", "/", "supervisor"),
    Page("home: referrals (focal point)", "/", "focal_point"),
    Page("case list", "/cases/"),
    Page("case list, page 10", "/cases/?page=10"),
    Page("case list by stage", "/cases/?stage={stage}"),
    Page("case list filtered (API)", "/api/cases/?stage={stage}"),
    Page("name search (API)", "/api/cases/?name={name}"),
    Page("case page", "/cases/{case}/"),
    Page("directory", "/directory/"),
]


@dataclass
class Sample:
    """What the data offers the paths: visible cases and their people's names."""

    cases: list
    names: list
    index: int = 0

    def fill(self, path: str) -> str:
        self.index += 1
        return path.format(
            case=self.cases[self.index % len(self.cases)],
            name=urllib.parse.quote(self.names[self.index % len(self.names)]),
            stage=STAGES[self.index % len(STAGES)],
            page=1 + self.index % 10,
        )


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


def through_client(client, page: Page, sample: Sample, requests: int, warm_up: int = 2):
    timing = Timing()
    for number in range(warm_up + requests):
        path = sample.fill(page.path)
        started = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        if number >= warm_up:
            timing.milliseconds.append(elapsed)
            timing.statuses.add(response.status_code)
    return timing


def through_http(port: int, cookie: str, page: Page, sample: Sample, requests: int, warm_up=2):
    """The same page from `trm serve`, over one kept-alive connection."""
    timing = Timing()
    server = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        for number in range(warm_up + requests):
            path = sample.fill(page.path)
            started = time.perf_counter()
            server.request("GET", path, headers={"Cookie": cookie})
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
        client.get(sample.fill(page.path))
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
