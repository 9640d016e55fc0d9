"""A sending and a receiving organisation with their staff, and cases placed where a scenario
needs them. Cases and records are written directly and the workflow's effects called as the
actions call them, so each sweep scenario starts where it needs to; tests/deadlines/
test_journey.py walks the real actions."""

import datetime
import itertools
import threading
import uuid
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.db import connections
from django.test import TestCase
from django.utils import timezone

from trm.accounts.models import Role
from trm.cases.actions import open_case
from trm.cases.models import Case, StageRecord
from trm.cases.record_kinds import Side
from trm.cases.stages import Stage
from trm.cases.workflow import EVENTS, RECORD_EFFECTS
from trm.deadlines.calendar import TIME_ZONES, add_working_days
from trm.deadlines.holidays import seed_holidays
from trm.deadlines.outbox import deliver
from trm.deadlines.sweep import sweep
from trm.directory.models import Holiday
from trm.lib import effects

_numbers = itertools.count(1)

PERSON = {
    "given_name": "Анна",
    "family_name": "Коваленко",
    "given_name_latin": "Anna",
    "family_name_latin": "Kovalenko",
    "document_number": "FX 998877",
}
PERSONAL_WORDS = ["Анна", "Коваленко", "Anna", "Kovalenko", "FX 998877"]


def local(country_code: str, *parts) -> datetime.datetime:
    """A moment given in the country's local time."""
    return datetime.datetime(*parts, tzinfo=ZoneInfo(TIME_ZONES[country_code]))


def swept(now=None) -> dict:
    """One sweep of the worker, its transactions committed, then the e-mails it wrote into the
    outbox delivered, as the worker does next."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        found = sweep(now)
    deliver()
    return found


def swept_by_two_workers_at_once(now) -> tuple[list[dict], list[Exception]]:
    """Two workers sweeping at the same moment, each on its own connection: what each sent,
    and what either raised."""
    results, failures = [], []
    start = threading.Barrier(2)

    def worker():
        try:
            start.wait()
            results.append(sweep(now))
        except Exception as problem:  # noqa: BLE001 - reported to the test
            failures.append(problem)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, failures


@pytest.fixture
def calendars(directory):
    """The seed countries' holidays (the directory's seed will hold them once wired in)."""
    if not Holiday.objects.exists():
        seed_holidays()


class Scene:
    """Staff of a sending and a receiving organisation, and cases between them."""

    def __init__(self, personas, sending: str = "ES", receiving: str = "AL"):
        self.personas = personas
        self.sender = personas.organisation(sending)
        self.receiver = personas.organisation(receiving)
        self.worker = self.staff(self.sender, Role.CASE_WORKER)
        self.supervisor = self.staff(self.sender, Role.SUPERVISOR)
        self.receiving_worker = self.staff(self.receiver, Role.CASE_WORKER)
        self.sending_focal_point = self.staff(
            personas.organisation(sending, focal_point=True), Role.FOCAL_POINT
        )
        self.receiving_focal_point = self.staff(
            personas.organisation(receiving, focal_point=True), Role.FOCAL_POINT
        )

    def staff(self, organisation, role, *, language: str = "en"):
        code = organisation.country.code
        user = self.personas.user(
            f"{code.lower()}.{role}.{next(_numbers)}", code, role, language=language
        )
        user.memberships.update(organisation=organisation)
        return user

    def case(self, *, child: bool = False, stage: str = Stage.IDENTIFICATION, **fields) -> Case:
        """A case of the sending organisation, put at `stage` directly."""
        case = open_case(self.worker, self.sender, person=dict(PERSON), is_child=child)
        Case.objects.filter(pk=case.pk).update(stage=stage, **fields)
        return Case.objects.select_related("owner__country").get(pk=case.pk)

    def record(self, case, kind: str, facts: dict, *, side: str = Side.RECEIVING, by=None):
        """A stage record written directly, with the effects the journey gives it."""
        by = by or (self.receiving_worker if side == Side.RECEIVING else self.worker)
        record = StageRecord(
            case=case,
            kind=kind,
            stage=case.stage,
            side=side,
            facts=facts,
            organisation=self.receiver if side == Side.RECEIVING else self.sender,
            recorded_by=by,
        )
        record.save()
        effects.run(RECORD_EFFECTS.get(kind, ()), record, by)
        return record

    def moved(self, case, event: str, **fields) -> Case:
        """The case moved by `event`, its fields set as the action would, with the move's
        effects (the referral's notices find no referral on these cases)."""
        transition = EVENTS[event]
        fields.setdefault("stage", transition.target or case.stage_before_closure or case.stage)
        Case.objects.filter(pk=case.pk).update(**fields)
        case = Case.objects.select_related("owner__country").get(pk=case.pk)
        effects.run(transition.effects, case, self.worker)
        return case

    def departed(self, case, at=None) -> Case:
        """The receiving side's reception arrangements, then the departure."""
        self.record(case, "reception_arrangements", {"confirmed": True})
        return self.moved(case, "depart", returned_at=at or timezone.now())

    def received(self, case, at=None) -> Case:
        at = at or timezone.now()
        self.record(case, "reception", {"received_at": at.isoformat()})
        return self.moved(case, "confirm_reception", received_at=at)

    def referral(self, case, *, sent_at=None, receiver=None):
        """What the referrals app hands to `track_referral`: a referral just sent."""
        receiver = receiver or self.receiver
        sent_at = sent_at or timezone.now()
        return SimpleNamespace(
            pk=uuid.uuid4(),
            case=case,
            receiver=receiver,
            sent_at=sent_at,
            response_due_at=add_working_days(
                receiver.country, sent_at, receiver.country.referral_response_days
            ),
        )


@pytest.fixture
def scene(personas, calendars):
    return Scene(personas)


@pytest.fixture
def scene_in(personas, calendars):
    """A scene whose person returns to the given country: scene_in("MA")."""
    return lambda receiving, sending="ES": Scene(personas, sending=sending, receiving=receiving)
