"""The synthetic caseload looks like a real one: its people, its stages, its outcomes."""

import json
import unicodedata
from collections import Counter

import pytest

from trm.cases.models import Case, Person, StageRecord
from trm.cases.record_kinds import RECORD_KINDS
from trm.cases.stages import Stage
from trm.referrals.models import Referral, ReferralState

pytestmark = pytest.mark.django_db

# Facts the actions compute rather than the forms ask for.
DERIVED_FACTS = {"days", "ends_on", "scores", "days_after_return"}


def script_of(text: str) -> str:
    letter = next(c for c in text if c.isalpha())
    return unicodedata.name(letter).split()[0]


@pytest.fixture
def caseload(synthesized):
    return synthesized(300, seed=11)


def test_children_are_about_a_fifth_and_most_people_are_women(caseload):
    cases = Case.objects.all()
    children = cases.filter(is_child=True).count() + cases.filter(age_uncertain=True).count()
    assert 0.12 <= children / 300 <= 0.30
    sexes = Counter(Person.objects.values_list("sex", flat=True))
    assert 0.5 <= sexes["female"] / 300 <= 0.8
    assert sexes["male"] > 0.2 * 300


def test_cases_stand_at_every_stage_but_the_short_ones(caseload):
    stages = Counter(Case.objects.values_list("stage", flat=True))
    assert {
        Stage.IDENTIFICATION, Stage.FIRST_ASSISTANCE, Stage.OPTIONS_COUNSELLING,
        Stage.LONG_TERM_ASSISTANCE, Stage.RETURN_PREPARATION, Stage.MONITORING, Stage.CLOSED,
    } <= set(stages)  # fmt: skip
    assert len(stages) >= 9
    # Closed cases gather over the years; no single open stage holds most of the caseload.
    assert 0.3 <= stages[Stage.CLOSED] / 300 <= 0.6
    assert max(count for stage, count in stages.items() if stage != Stage.CLOSED) < 0.35 * 300


def test_names_come_in_four_scripts_with_latin_transliterations(caseload):
    people = list(Person.objects.select_related("data_key"))
    scripts = Counter(script_of(person.given_name) for person in people)
    assert {"LATIN", "CYRILLIC", "GREEK", "ARABIC"} <= set(scripts)
    for person in people:
        if script_of(person.given_name) != "LATIN":
            assert script_of(person.given_name_latin) == "LATIN"


def test_exploitation_referrals_and_monitoring_vary_as_in_life(caseload):
    screenings = StageRecord.objects.filter(kind="screening")
    forms = Counter(form for facts in screenings.values_list("facts", flat=True)
                    for form in facts.get("exploitation", []))  # fmt: skip
    assert {"sexual", "forced_labour"} <= set(forms)
    assert len(forms) >= 5
    states = set(Referral.objects.values_list("state", flat=True))
    assert {ReferralState.DECLINED} <= states
    assert states & {ReferralState.ACCEPTED, ReferralState.IN_PROGRESS, ReferralState.COMPLETED}
    contacts = StageRecord.objects.filter(kind="monitoring_contact").values_list("facts", flat=True)
    overall = [facts["scores"]["overall"] for facts in contacts]
    assert overall
    assert all(0 <= score <= 1 for score in overall)
    assert len(set(overall)) > 3


def test_records_keep_codes_in_the_open_and_free_text_encrypted(caseload):
    for record in StageRecord.objects.select_related("case__person__data_key"):
        kind = RECORD_KINDS[record.kind]
        assert record.stage in kind.stages, (record.kind, record.stage)
        fields = {spec.name: spec for spec in kind.fields}
        for name in set(record.facts) - DERIVED_FACTS:
            assert not fields[name].encrypted, (record.kind, name)
        for name in record.details or {}:
            assert fields[name].encrypted, (record.kind, name)


def test_the_truth_of_the_near_duplicates_is_recorded(synthesized, tmp_path):
    report = synthesized(300, seed=11)
    lines = [json.loads(line) for line in report.truth.read_text().splitlines()]
    assert len(lines) == report.duplicates >= 3
    for line in lines:
        duplicate = Person.objects.get(pk=line["person"])
        original = Person.objects.get(pk=line["duplicate_of_person"])
        assert Case.objects.filter(pk=line["duplicate_of_case"], person=original).exists()
        assert line["variations"]
        assert duplicate.citizenship == original.citizenship
        names = ("given_name", "family_name", "given_name_latin", "family_name_latin")
        assert [getattr(duplicate, name) for name in names] != [
            getattr(original, name) for name in names
        ]
