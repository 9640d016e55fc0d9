"""The case every reader of tests/access looks at: a child's case walked from Spain to Albania
up to monitoring. The referral shares identity and assistance (risk to life always) and one
narrative text the sender ticked. Before it is sent, every text of the sender's records is
replaced by a marker naming its category, so that a value of a withheld category can be searched
for in every response body.

The readers: the owner's case worker, supervisor, focal point and data protection officer; the
receiving organisation's case worker, supervisor, focal point and data protection officer; a
supervisor who broke the glass; a coordinator and an organisation administrator of the owner;
a case worker abroad; an API token of each organisation.
"""

import itertools
from typing import NamedTuple

import pytest
from django.db import transaction
from django.test import override_settings

from tests.api.conftest import Api, token_api
from tests.personas import Personas
from tests.referrals.journeys import Journey, committed
from trm.access.actions import break_the_glass
from trm.access.policy import access_to
from trm.access.view import narrative_key
from trm.accounts.models import Role
from trm.cases.actions import casework
from trm.cases.actions.journey import request_approval
from trm.cases.models import Case, StageRecord
from trm.cases.record_kinds import RECORD_KINDS
from trm.referrals.payload import narratives

SHARED = ("identity", "assistance")
CONSENTED = ("identity", "contact", "health", "assistance", "family")
_numbers = itertools.count(1)


class Secret(NamedTuple):
    organisation: int  # who wrote it
    category: str
    narrative: str | None  # its key, for a narrative field
    where: str  # record, person, note, file, approval


def marker(category: str) -> str:
    # Letters only: survives HTML escaping and JSON encoding unchanged.
    return f"zq{category.replace('_', '')}{next(_numbers):03d}q"


class World:
    """The case, its referral, who wrote which marker, and the readers."""

    def __init__(self, personas):
        self.journey = journey = Journey(personas)
        case = journey.to_referral(child=True, consented=CONSENTED)
        self.secrets = {}  # marker → Secret
        for record in StageRecord.objects.filter(case=case):
            record.case = case
            kind, details = RECORD_KINDS[record.kind], dict(record.details or {})
            for name in details:
                spec = kind.field(name)
                if spec is None or spec.kind not in {"text", "longtext"}:
                    continue
                details[name] = marker(kind.category_of(name))
                key = narrative_key(record.pk, name) if spec.narrative else None
                self.secrets[details[name]] = Secret(
                    record.organisation_id, kind.category_of(name), key, "record"
                )
            record.details = details
            record.save(update_fields=["details"])
        person = case.person
        person.given_name, person.family_name = marker("identity"), marker("identity")
        person.document_number, person.contacts = marker("documents"), {"phone": marker("contact")}
        person.save()
        for value, category in [
            (person.given_name, "identity"),
            (person.family_name, "identity"),
            (person.document_number, "documents"),
            (person.contacts["phone"], "contact"),
        ]:
            self.secrets[value] = Secret(case.owner_id, category, None, "person")
        # The sender reads the narrative of the shared categories and includes one text.
        offered = narratives(case, (*SHARED, "risk_to_life"))
        assert offered, "the shared categories carry narrative to choose from"
        self.included = offered[0].key
        self.referral = journey.send(case, SHARED, texts=[self.included])
        journey.accept(self.referral)
        journey.depart(case)
        journey.confirm_reception(case)
        journey.agree_plan(case)
        journey.monitor(case)
        self.owner_note = marker("note")
        self.secrets[self.owner_note] = Secret(case.owner_id, "", None, "note")
        committed(casework.add_note, journey.worker, case, self.owner_note)
        committed(casework.add_note, journey.receiving_worker, case, "Met her at the airport.")
        filename = marker("file")
        self.secrets[filename] = Secret(case.owner_id, "", None, "file")
        committed(casework.attach_file, journey.worker, case, f"{filename}.pdf",
                  b"%PDF-1.4 owner's document")  # fmt: skip
        comment = marker("approval")
        self.secrets[comment] = Secret(case.owner_id, "", None, "approval")
        committed(request_approval, journey.worker, case, "closure",
                  closure_reason="completed", comment=comment)  # fmt: skip
        self.case = Case.objects.get(pk=case.pk)
        self.readers = self._readers(personas)

    def _readers(self, personas):
        journey, sender, receiver = self.journey, self.journey.sender, self.journey.receiver
        other_spanish = personas.organisation("ES", focal_point=True)
        glass = journey.staff(other_spanish, Role.SUPERVISOR)
        committed(break_the_glass, glass, self.case, "A child is missing since last night.")
        people = {
            "owner case worker": journey.worker,
            "owner supervisor": journey.supervisor,
            "owner focal point": journey.staff(sender, Role.FOCAL_POINT),
            "owner data protection officer": journey.staff(sender, Role.DATA_PROTECTION_OFFICER),
            "receiving case worker": journey.receiving_worker,
            "receiving supervisor": journey.staff(receiver, Role.SUPERVISOR),
            "receiving focal point": journey.staff(receiver, Role.FOCAL_POINT),
            "receiving data protection officer": journey.staff(
                receiver, Role.DATA_PROTECTION_OFFICER
            ),
            "emergency reader": glass,
            "owner coordinator": journey.staff(sender, Role.COORDINATOR),
            "owner administrator": journey.staff(sender, Role.ORGANISATION_ADMIN),
            "case worker abroad": journey.staff(personas.organisation("MA"), Role.CASE_WORKER),
        }
        readers = {}
        for name, user in people.items():
            readers[name] = (user, Api(personas.signed_in(user)))
        for name, organisation in [("owner token", sender), ("receiving token", receiver)]:
            api = token_api(organisation)
            readers[name] = (api.token.user, api)
        return readers

    def allowed(self, user) -> set[str]:
        """The markers `user` may read, decided here from the referral, not from the view."""
        access = access_to(user, self.case)
        if not access:
            return set()
        if access.sees_whole_case:
            return set(self.secrets)
        return {
            value
            for value, secret in self.secrets.items()
            if secret.where in {"record", "person"}
            and secret.organisation == self.case.owner_id
            and secret.category in set(self.referral.categories)
            and (secret.narrative is None or secret.narrative in self.referral.texts)
        }

    def of(self, where: str, values) -> set[str]:
        return {value for value in values if self.secrets[value].where == where}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, _key_folder):
    # Built once for the module, in a transaction rolled back at its end: walking the journey
    # is the slow part. The keys are the test run's, as every test's (tests/conftest.py).
    keys = {"KEY_FILE": _key_folder / "kek.key", "NODE_KEY_FILE": _key_folder / "node_ed25519.pem"}
    with django_db_blocker.unblock(), override_settings(**keys):
        atomic = transaction.atomic()
        # As a TestCase's: the steps inside (durable transactions) may run within it.
        atomic._from_testcase = True
        atomic.__enter__()
        try:
            yield World(Personas())
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
