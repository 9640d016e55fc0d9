"""Synthetic data: invented cases in their thousands, for load tests and benchmarks.

    trm synth --cases 10000 --seed 7

Every case is an invented person walked along the real workflow up to today (journeys.py),
written with encryption on and a full audit trail that `trm audit verify` accepts
(writer.py). The same seed and day give the same people, facts and stages. About 4% of the
people are deliberate near-duplicates of earlier ones; which, and how they differ, is written
as JSON lines to TRM_HOME/synth/truth-seed-<seed>.jsonl (no names in it, only identifiers),
for measuring duplicate detection later. Refused on a production node.
"""

import datetime
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from trm.cases.models import Case
from trm.crypto import blind_index

from .casework import ids_of
from .journeys import plan_case
from .staff import load_directory
from .writer import Writer


class SynthRefused(Exception):
    """Synthesis would harm the node: production mode, or the seed's cases are already here."""


@dataclass
class SynthesisReport:
    cases: int = 0
    events: int = 0
    seconds: float = 0.0
    stages: Counter = field(default_factory=Counter)
    children: int = 0
    duplicates: int = 0
    truth: Path | None = None

    @property
    def rate(self) -> float:
        return self.cases / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        share = self.children / self.cases if self.cases else 0
        stages = ", ".join(f"{stage} {count}" for stage, count in sorted(self.stages.items()))
        return (
            f"{self.cases:,} synthetic cases in {self.seconds:,.1f} s ({self.rate:,.0f} cases/s), "
            f"{self.events:,} audit events; children {share:.1%}; "
            f"{self.duplicates:,} near-duplicates recorded in {self.truth}\nstages: {stages}"
        )


def refuse_in_production() -> None:
    """Raise SynthRefused on a production node: synthetic cases would mix with real people's."""
    if settings.PRODUCTION:
        raise SynthRefused(
            "trm synth refuses to run on a production node (TRM_PRODUCTION is set): synthetic "
            "cases would mix with real people's. Use a development or test node."
        )


def truth_path(seed: int) -> Path:
    return Path(settings.TRM_HOME) / "synth" / f"truth-seed-{seed}.jsonl"


def _truth_line(seed: int, plan) -> str:
    person = plan.person
    original_case, original_person = ids_of(seed, person.duplicate_of)
    return json.dumps(
        {
            "index": plan.index,
            "case": str(plan.id),
            "person": str(plan.person_id),
            "duplicate_of_index": person.duplicate_of,
            "duplicate_of_case": str(original_case),
            "duplicate_of_person": str(original_person),
            "variations": list(person.variations),
        }
    )


def synthesize(
    cases: int = 10_000,
    *,
    seed: int = 1,
    batch: int = 1000,
    today: datetime.date | None = None,
    truth: Path | None = None,
    progress=None,
) -> SynthesisReport:
    """Write `cases` invented cases of `seed` as they stand at the start of `today`.

    Memory stays flat: each batch is planned, written in one transaction and forgotten.
    """
    refuse_in_production()
    if cases < 1 or batch < 1:
        raise SynthRefused("Give at least one case and a batch of at least one.")
    first_case, _person = ids_of(seed, 0)
    if Case.objects.filter(pk=first_case).exists():
        raise SynthRefused(
            f"The cases of seed {seed} are in this database already; use another seed."
        )
    today = today or timezone.now().date()
    directory = load_directory(cases)
    writer = Writer(directory.usernames)
    report = SynthesisReport(truth=Path(truth or truth_path(seed)))
    report.truth.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with blind_index.key_held(), report.truth.open("w") as truth_file:
        for start in range(0, cases, batch):
            plans = [
                plan_case(seed, index, today, directory)
                for index in range(start, min(cases, start + batch))
            ]
            report.events += writer.write(plans)
            for plan in plans:
                report.stages[plan.stage] += 1
                report.children += plan.is_child or plan.age_uncertain
                if plan.person.duplicate_of is not None:
                    report.duplicates += 1
                    truth_file.write(_truth_line(seed, plan) + "\n")
            truth_file.flush()
            report.cases += len(plans)
            if progress:
                progress(report.cases)
    if connection.vendor == "postgresql":
        # A bulk load leaves the planner without statistics until autovacuum comes by; a node
        # that grew case by case would have them.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    report.seconds = time.perf_counter() - started
    return report
