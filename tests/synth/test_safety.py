"""Synthetic data is stored like real data: encrypted, audited, and never on a real node."""

import pytest
from django.db import connection

from trm.audit.log import record
from trm.audit.models import AuditEvent
from trm.audit.verify import verify_chain
from trm.cases.models import Case, NameIndex, Person
from trm.cli import main
from trm.crypto.envelope import VERSION
from trm.referrals.models import ReferralMessage
from trm.synth import SynthRefused, synthesize

pytestmark = pytest.mark.django_db


def test_the_audit_chain_verifies_across_synthetic_and_ordinary_events(synthesized):
    record("trm.case.viewed", object_type="cases.case", object_id="before")
    report = synthesized(50, seed=3)
    after = record("trm.case.viewed", object_type="cases.case", object_id="after")
    result = verify_chain(batch_size=97)
    assert result.ok, result
    assert result.events == after.sequence == report.events + 2
    opened = AuditEvent.objects.filter(action="trm.case.opened").count()
    assert opened == Case.objects.count() == 50


def test_personal_fields_are_stored_as_ciphertext(synthesized):
    synthesized(20, seed=3)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, given_name, family_name FROM cases_person")
        stored = cursor.fetchall()
    assert len(stored) == 20
    for person_id, given, family in stored:
        person = Person.objects.select_related("data_key").get(pk=person_id)
        for blob, plain in [(given, person.given_name), (family, person.family_name)]:
            blob = bytes(blob)
            assert blob[:1] == VERSION
            assert plain.encode() not in blob
    with connection.cursor() as cursor:
        cursor.execute("SELECT payload FROM referrals_referralmessage")
        payloads = [bytes(row[0]) for row in cursor.fetchall()]
    assert all(payload[:1] == VERSION for payload in payloads)
    assert ReferralMessage.objects.count() == len(payloads)


def test_people_are_found_by_their_blind_indexes_as_the_models_would_index_them(synthesized):
    synthesized(20, seed=3)
    for person in Person.objects.select_related("data_key"):
        indexed = set(NameIndex.objects.filter(person=person).values_list("kind", "digest"))
        assert indexed == NameIndex.digests_for(person)
        full_name = f"{person.given_name} {person.family_name}".strip()
        assert NameIndex.search(full_name.upper()).filter(pk=person.pk).exists()


def test_synthesis_refuses_a_production_node(directory, settings, tmp_path):
    settings.PRODUCTION = True
    with pytest.raises(SynthRefused, match="production"):
        synthesize(10, seed=1, truth=tmp_path / "truth.jsonl")
    assert not Case.objects.exists()
    assert not (tmp_path / "truth.jsonl").exists()


def test_synthesis_refuses_a_seed_whose_cases_are_here(synthesized, tmp_path):
    synthesized(5, seed=4)
    with pytest.raises(SynthRefused, match="seed 4"):
        synthesize(5, seed=4, truth=tmp_path / "again.jsonl")
    assert Case.objects.count() == 5


def test_the_command_refuses_a_production_node_before_touching_the_database(settings):
    settings.PRODUCTION = True
    with pytest.raises(SystemExit, match="refuses to run on a production node"):
        main(["synth", "--cases", "5"])
