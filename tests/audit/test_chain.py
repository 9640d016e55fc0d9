"""Recording events and walking the hash chain over them."""

import pytest
from django.db import transaction

from trm.accounts.models import Role
from trm.audit.log import AuditDetailsError, new_event, record, record_many
from trm.audit.models import GENESIS_HASH, AuditEvent, event_hash
from trm.audit.verify import verify_chain

pytestmark = pytest.mark.django_db


def test_the_chain_verifies_after_many_events():
    for number in range(1, 301):
        record("trm.case.viewed", object_type="cases.case", object_id=str(number))
    # Small batches so the walk crosses many batch boundaries.
    result = verify_chain(batch_size=7)
    assert result.ok, result
    assert (result.events, result.checkpoints) == (300, 0)
    assert (
        str(result)
        == "audit chain verified: 300 events, 0 checkpoints; no checkpoint covers the newest "
        "300 events yet"
    )


def test_an_empty_log_verifies():
    assert str(verify_chain()) == "audit chain verified: 0 events, 0 checkpoints"


def test_events_are_numbered_without_gaps_and_linked_to_the_one_before():
    first = record("trm.case.viewed", object_id="1")
    second = record("trm.referral.sent", object_id="2", reason="needs shelter in origin country")
    assert (first.sequence, second.sequence) == (1, 2)
    assert first.previous_hash == GENESIS_HASH
    assert second.previous_hash == first.hash
    stored = AuditEvent.objects.get(sequence=2)
    assert stored.hash == event_hash(first.hash, stored.canonical_fields())


def test_an_event_names_its_actor_organisation_and_target(personas):
    worker = personas.spanish_case_worker()
    organisation = worker.memberships.get().organisation
    event = record(
        "trm.organisation.viewed",
        actor=worker,
        organisation=organisation,
        target=organisation,
        details={"fields": ["name", "phone"], "page": 2, "partial": False, "note": None},
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor == worker
    assert stored.actor_username == "es.caseworker"
    assert stored.organisation == organisation
    assert (stored.object_type, stored.object_id) == (
        "directory.organisation",
        str(organisation.pk),
    )
    assert stored.details == {
        "fields": ["name", "phone"],
        "page": 2,
        "partial": False,
        "note": None,
    }
    assert verify_chain().ok


def test_an_event_stays_readable_after_its_user_is_deleted(personas):
    user = personas.user("es.temp", "ES", Role.CASE_WORKER)
    record("trm.case.viewed", actor=user, object_id="7")
    user.delete()
    event = AuditEvent.objects.get()
    assert event.actor_username == "es.temp"
    assert verify_chain().ok


@pytest.mark.parametrize(
    "details",
    [
        {"person": {"name": "Ana", "born": "1999-01-02"}},
        {"names": [["Ana", "Pop"]]},
        {"score": 0.5},
        {"address": ("Calle Mayor", 1)},
        {1: "key that is not a name"},
        ["not", "a", "dict"],
    ],
)
def test_personal_data_is_refused_in_details(details):
    with pytest.raises(AuditDetailsError):
        record("trm.case.viewed", details=details)
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("action", ["case.viewed", "trm", "trm.Case.viewed", "trm.case.", "trm..x"])
def test_an_action_outside_the_trm_namespace_is_refused(action):
    with pytest.raises(ValueError, match="is not a name like trm.case.viewed"):
        record(action)
    assert not AuditEvent.objects.exists()


def test_an_event_written_in_a_transaction_that_fails_leaves_no_gap():
    def change_that_fails():
        with transaction.atomic():
            record("trm.case.updated", object_id="1")
            raise RuntimeError("the change failed after its event was written")

    record("trm.case.viewed", object_id="1")
    with pytest.raises(RuntimeError):
        change_that_fails()
    record("trm.case.viewed", object_id="1")
    assert list(AuditEvent.objects.values_list("sequence", flat=True)) == [1, 2]
    assert verify_chain().ok


def test_events_appended_together_continue_the_chain_in_their_order():
    before = record("trm.case.viewed", object_id="1")
    together = record_many(
        [new_event("trm.deadline.reminded", object_id=str(number)) for number in range(2, 6)]
    )
    after = record("trm.case.viewed", object_id="6")
    stored = list(AuditEvent.objects.values_list("sequence", "object_id", "previous_hash", "hash"))
    assert [row[:2] for row in stored] == [(n, str(n)) for n in range(1, 7)]
    assert [row[2] for row in stored[1:]] == [row[3] for row in stored[:-1]], "each links back"
    assert together[0].previous_hash == before.hash
    assert after.previous_hash == together[-1].hash
    assert record_many([]) == []
    assert (
        str(verify_chain())
        == "audit chain verified: 6 events, 0 checkpoints; no checkpoint covers the newest "
        "6 events yet"
    )


def test_events_appended_together_are_checked_like_one():
    with pytest.raises(AuditDetailsError):
        record_many([new_event("trm.case.viewed", details={"score": 0.5})])
    assert not AuditEvent.objects.exists()
