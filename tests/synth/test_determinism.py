"""The same seed gives the same people, facts and stages; another seed, others."""

import pytest

from trm.cases.models import Case, StageRecord

pytestmark = pytest.mark.django_db


def snapshot():
    cases = Case.objects.select_related("person__data_key").order_by("reference")
    return {
        "cases": [
            (
                case.pk,
                case.reference,
                case.stage,
                case.opened_at,
                case.is_child,
                case.person.given_name,
                case.person.family_name,
                case.person.given_name_latin,
                case.person.family_name_latin,
                case.person.birth_date,
                case.person.document_number,
            )
            for case in cases
        ],  # fmt: skip
        "records": sorted(
            (str(record.case_id), record.kind, record.stage, record.recorded_at, str(record.facts))
            for record in StageRecord.objects.all()
        ),
    }


def test_two_runs_of_one_seed_give_identical_cases(synthesized):
    first = synthesized(60, seed=5, inspect=snapshot, keep=False)
    second = synthesized(60, seed=5, inspect=snapshot, keep=False)
    assert len(first["cases"]) == 60
    assert first == second


def test_another_seed_gives_other_people(synthesized):
    first = synthesized(60, seed=5, inspect=snapshot, keep=False)
    other = synthesized(60, seed=6, inspect=snapshot, keep=False)
    names = {row[5:7] for row in first["cases"]}
    assert names != {row[5:7] for row in other["cases"]}
    assert first["records"] != other["records"]


def test_a_smaller_run_is_the_beginning_of_a_larger_one(synthesized):
    small = synthesized(20, seed=5, inspect=snapshot, keep=False)
    large = synthesized(60, seed=5, inspect=snapshot, keep=False)
    assert set(small["cases"]) <= set(large["cases"])
