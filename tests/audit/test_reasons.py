"""Reasons people type are kept beside the chain, encrypted, and leave only an HMAC in it."""

import pytest
from django.db import IntegrityError, connection, transaction

from tests.append_only import triggers_dropped
from tests.referrals.journeys import Journey
from trm.access.actions import break_the_glass
from trm.accounts.models import Role
from trm.audit.models import AuditEvent, AuditReason
from trm.audit.reasons import ALTERED, ERASED, UNREADABLE, _context, _plain_key, digest
from trm.audit.verify import verify_chain
from trm.cases.models import Case
from trm.cli import main
from trm.crypto import envelope
from trm.directory.models import Organisation
from trm.lib.errors import DomainError
from trm.rights.erasure import erase_person
from trm.rights.export import export_person

pytestmark = pytest.mark.django_db

REOPENED = "Amira Haddad called back: her brother found her in Valencia."
EMERGENCY = "Amira Haddad is at the police station tonight and needs a shelter."
ERASURE = "Request of the data subject, received by letter on 3 May."


@pytest.fixture
def team(personas):
    return Journey(personas, sending="ES", receiving="AL")


@pytest.fixture
def dpo(personas, team):
    officer = personas.user("es.dpo.reasons", "ES", Role.DATA_PROTECTION_OFFICER)
    officer.memberships.update(organisation=team.sender)
    return officer


@pytest.fixture
def reasoned_case(personas, team):
    """A case closed and reopened with a reason, then opened in an emergency with another."""
    case = team.close(team.open())
    team.move(team.worker, case, "reopen", reason=REOPENED)
    other = Organisation.objects.filter(country=case.owner.country).exclude(pk=case.owner_id)[0]
    supervisor = personas.user("es.other-supervisor", "ES", Role.SUPERVISOR)
    supervisor.memberships.update(organisation=other)
    break_the_glass(supervisor, case, EMERGENCY)
    return case


def raw_rows(table: str) -> str:
    """Every column of every row of `table` as the database holds it, as one text."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (a fixed table name)
        return repr(cursor.fetchall())


def audit_page(personas, dpo) -> str:
    response = personas.signed_in(dpo).get("/audit/", {"action": "trm.", "object_type": ""})
    assert response.status_code == 200
    return response.content.decode()


def event(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).latest("sequence")


def test_typed_reasons_are_not_in_the_chain_but_beside_it_encrypted(reasoned_case, dpo):
    erase_person(dpo, reasoned_case, ERASURE)
    chain, beside = raw_rows("audit_auditevent"), raw_rows("audit_auditreason")
    for text in (REOPENED, EMERGENCY, ERASURE):
        assert text not in chain
        assert text not in beside
    assert "Amira" not in chain
    assert "Haddad" not in chain
    moved = event("trm.case.moved")
    assert moved.reason == digest(REOPENED)
    assert moved.reason.startswith("hmac-sha256:")
    assert len(moved.reason) == 12 + 64
    for action in ("trm.case.moved", "trm.access.break_glass", "trm.person.erased"):
        assert AuditReason.objects.filter(sequence=event(action).sequence).exists()
    # Under whose key: the person's for what concerns their case; the erasure's under the node's.
    person_key = reasoned_case.person.data_key_id
    assert AuditReason.objects.get(sequence=moved.sequence).data_key_id == person_key
    erased = AuditReason.objects.get(sequence=event("trm.person.erased").sequence)
    assert erased.data_key.purpose == "audit_reasons"


def test_the_officer_reads_the_reasons_on_the_audit_page(personas, reasoned_case, dpo):
    page = audit_page(personas, dpo)
    assert REOPENED in page
    assert EMERGENCY in page
    assert "The case was opened in an emergency" in page, "the catalogue's sentence"
    assert "hmac-sha256" not in page


def test_after_erasure_the_persons_reasons_are_unreadable_and_the_chain_verifies(
    personas, reasoned_case, dpo, capsys
):
    erase_person(dpo, reasoned_case, ERASURE)
    page = audit_page(personas, dpo)
    assert REOPENED not in page
    assert EMERGENCY not in page
    assert page.count(f"<em>{ERASED}</em>") == 2
    # Why the person was erased stays readable: the officer accounts for it.
    assert ERASURE in page
    assert verify_chain().ok
    main(["audit", "verify"])
    assert "audit chain verified" in capsys.readouterr().out
    main(["audit", "reasons"])
    assert capsys.readouterr().out == (
        "audit reasons checked: 1 readable and matching the chain, 2 erased\n"
    )


def test_a_step_on_an_erased_persons_case_keeps_no_new_reason_about_them(team, dpo):
    case = team.close(team.open())
    erase_person(dpo, case, ERASURE)
    before = AuditEvent.objects.count()
    with pytest.raises(DomainError, match="a reason typed now could name them"):
        team.move(team.worker, case, "reopen", reason="Her brother Karim called again.")
    assert AuditEvent.objects.count() == before
    assert Case.objects.get(pk=case.pk).stage == "closed"


def test_the_export_shows_reasons_while_they_can_be_read(reasoned_case, dpo):
    events = export_person(dpo, reasoned_case)["audit_events"]
    reasons = {e["action"]: e["reason"] for e in events if e["had_reason"]}
    assert reasons == {"trm.case.moved": REOPENED, "trm.access.break_glass": EMERGENCY}
    assert all(e["reason"] is None for e in events if not e["had_reason"])


def test_a_reason_is_append_only_like_the_chain(reasoned_case):
    kept = AuditReason.objects.get(sequence=event("trm.case.moved").sequence)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditReason.objects.filter(pk=kept.pk).update(text=b"x")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditReason.objects.filter(pk=kept.pk).delete()


def _replace(sequence: int, ciphertext: bytes) -> None:
    with triggers_dropped("audit_auditreason"), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditreason SET text = %s WHERE sequence = %s", [ciphertext, sequence]
        )


def test_a_reason_changed_beside_the_chain_is_shown_as_changed(
    personas, reasoned_case, dpo, capsys
):
    moved = AuditReason.objects.get(sequence=event("trm.case.moved").sequence)
    emergency = AuditReason.objects.get(sequence=event("trm.access.break_glass").sequence)
    # Someone with the database copies another event's ciphertext: it is bound to its event.
    _replace(moved.sequence, bytes(emergency.text))
    # Someone with the keys too re-encrypts another text in place: the chain's HMAC disagrees.
    key = _plain_key(emergency.data_key)
    forged = envelope.encrypt(b"Nothing happened.", key, _context(emergency.sequence))
    _replace(emergency.sequence, forged)
    page = audit_page(personas, dpo)
    assert str(UNREADABLE) in page
    assert str(ALTERED) in page
    assert "Nothing happened." not in page
    assert EMERGENCY not in page
    with pytest.raises(SystemExit):
        main(["audit", "reasons"])
    said = capsys.readouterr().out
    assert said.startswith("audit reasons: 2 do not check (0 readable and matching the chain, ")
    assert f"the first at sequence {moved.sequence}: {UNREADABLE}" in said
