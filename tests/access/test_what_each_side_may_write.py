"""Every reader of the world case tries every kind of write, through the API as a system or a
browser would; only those domain.md §6 entitles succeed, and a refused write changes nothing.

The sending side works the whole case; the receiving side writes its own part only (its
records, corrections of them, its notes); data protection officers, emergency readers,
coordinators, administrators and outsiders write nothing.
"""

import pytest
from django.utils import timezone

from tests.referrals.journeys import ALL_SCORES_3, committed
from trm.cases.actions.journey import add_record
from trm.cases.models import Approval, Case, Note, StageRecord
from trm.consent.actions import record_consent
from trm.consent.models import ConsentRecord

pytestmark = pytest.mark.django_db

OWNER_WORK = {"person", "service", "correct sender's record", "note", "consent", "withdrawal",
              "approval request"}  # fmt: skip
RECEIVING_WORK = {"service", "monitoring", "correct receiver's record", "note"}
ENTITLED = {
    "owner case worker": OWNER_WORK,
    "owner focal point": OWNER_WORK,
    "owner token": OWNER_WORK,
    "owner supervisor": OWNER_WORK | {"assignment", "decision"},
    "receiving case worker": RECEIVING_WORK,
    "receiving supervisor": RECEIVING_WORK,
    "receiving focal point": RECEIVING_WORK,
    "receiving token": RECEIVING_WORK,
}


def _state(case):
    case = Case.objects.select_related("person").get(pk=case.pk)
    return (
        case.version,
        case.stage,
        case.case_worker_id,
        case.person.family_name,
        StageRecord.objects.filter(case=case).count(),
        Note.objects.filter(case=case).count(),
        ConsentRecord.objects.filter(case=case).count(),
        Approval.objects.filter(case=case).count(),
        Approval.objects.filter(case=case, decided_at__isnull=False).count(),
    )


def _writes(world):
    """(name, method, path, body maker) of each write; bodies made fresh for each attempt."""
    case, journey = world.case, world.journey
    base = f"/api/cases/{case.pk}"
    today = timezone.localdate().isoformat()

    def version():
        return Case.objects.get(pk=case.pk).version

    def latest(kind, organisation):
        return (
            StageRecord.objects.filter(case=case, kind=kind, organisation=organisation)
            .filter(superseded_by__isnull=True)
            .latest("recorded_at")
        )

    def fresh_consent():
        consent = committed(record_consent, journey.worker, case, purpose="statistics",
                            categories=["identity"], language="en", guardian_consent=True,
                            child_views="She agrees.")  # fmt: skip
        return f"{base}/consents/{consent.pk}/withdraw"

    def pending_closure():
        approval = Approval.objects.filter(case=case).pending().first()
        return f"{base}/approvals/{approval.pk}/decision" if approval else f"{base}/approvals/0"

    # A service is recorded by either side: only the organisation that made it corrects it.
    service = {"service": "medical", "delivered_on": today}
    for user in (journey.worker, journey.receiving_worker):
        committed(add_record, user, case, "service", service)
    monitoring = {"contacted_on": today, "situation": "She is well.", **ALL_SCORES_3}
    return [
        ("person", "patch", lambda: f"{base}/person",
         lambda: {"version": version(), "family_name": "Changed"}),
        ("service", "post", lambda: f"{base}/records",
         lambda: {"kind": "service", "data": service}),
        ("monitoring", "post", lambda: f"{base}/records",
         lambda: {"kind": "monitoring_contact", "data": monitoring}),
        ("correct sender's record", "post", lambda: f"{base}/records",
         lambda: {"kind": "service", "data": service,
                  "supersedes": str(latest("service", journey.sender).pk)}),
        ("correct receiver's record", "post", lambda: f"{base}/records",
         lambda: {"kind": "service", "data": service,
                  "supersedes": str(latest("service", journey.receiver).pk)}),
        ("note", "post", lambda: f"{base}/notes", lambda: {"text": "A note."}),
        ("consent", "post", lambda: f"{base}/consents",
         lambda: {"purpose": "statistics", "categories": ["identity"], "language": "en",
                  "guardian_consent": True, "child_views": "She agrees."}),
        ("withdrawal", "post", fresh_consent, lambda: {"reason": ""}),
        ("assignment", "post", lambda: f"{base}/assignment",
         lambda: {"case_worker": journey.worker.username, "version": version()}),
        ("approval request", "post", lambda: f"{base}/approvals",
         lambda: {"subject": "best_interests_determination"}),
        ("decision", "post", pending_closure, lambda: {"approve": False}),
        ("close", "post", lambda: f"{base}/moves/close", lambda: {"version": version()}),
    ]  # fmt: skip


def test_only_what_the_table_entitles_succeeds(world):
    succeeded = set()
    for who, (_user, api) in world.readers.items():
        entitled = ENTITLED.get(who, set())
        for name, method, path, body in _writes(world):
            where = path()  # (a withdrawal's consent is recorded first)
            before = _state(world.case)
            response = getattr(api, method)(where, body())
            if name in entitled:
                again = response.status_code == 409 and name in succeeded
                assert response.status_code in (200, 201) or again, (who, name, response.json())
                succeeded.add(name)
            else:
                assert response.status_code >= 400, (who, name, "should be refused")
                assert _state(world.case) == before, (who, name, "a refused write changed nothing")
    assert succeeded == set().union(*ENTITLED.values()), "every write was shown to work"


def test_the_receiving_side_is_told_why_it_may_not(world):
    _user, api = world.readers["receiving case worker"]
    base = f"/api/cases/{world.case.pk}"
    version = Case.objects.get(pk=world.case.pk).version
    person = api.patch(f"{base}/person", {"version": version, "family_name": "Changed"})
    assert person.status_code == 403
    assert person.json()["detail"] == "Only the owning organisation corrects the person's data."
    consent = api.post(f"{base}/consents", {"purpose": "statistics", "categories": ["identity"],
                                            "language": "en"})  # fmt: skip
    assert consent.status_code == 403
    assert "tell the sender on the referral" in consent.json()["detail"]
    _user, dpo = world.readers["receiving data protection officer"]
    note = dpo.post(f"{base}/notes", {"text": "A note."})
    assert note.status_code in (403, 404)
