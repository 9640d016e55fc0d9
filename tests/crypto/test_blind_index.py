"""Exact search on encrypted names and document numbers, in any script."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from trm.cases.models import NameIndex, Person
from trm.crypto.blind_index import blind_index, key_held, normalise
from trm.crypto.rotation import rotate

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ZIELINSKI", "Zieliński"),
        ("  anna   wójcik ", "Anna Wójcik"),
        ("ЛЬВІВ", "Львів"),
        ("محمد", "مُحَمَّد"),
        ("ΠΑΠΑΔΑΚΗ", "Παπαδάκη"),
    ],
)
def test_case_spacing_accents_and_vowel_marks_do_not_matter(typed, stored):
    assert normalise(typed) == normalise(stored)
    assert blind_index(typed, purpose="name") == blind_index(stored, purpose="name")


def test_the_same_value_for_another_purpose_gives_another_index():
    assert blind_index("AB123", purpose="name") != blind_index("AB123", purpose="document")


def test_a_person_is_found_by_name_in_either_script_and_either_order():
    olena = Person(
        given_name="Олена", family_name="Коваленко", given_name_latin="Olena",
        family_name_latin="Kovalenko", document_number="FX 123456",
    )  # fmt: skip
    olena.save()
    Person(given_name="Olena", family_name="Melnyk").save()
    for typed in ["Олена Коваленко", "коваленко олена", "OLENA KOVALENKO", "Kovalenko"]:
        assert list(NameIndex.search(typed)) == [olena], typed
    assert list(NameIndex.search("fx 123456", kind=NameIndex.Kind.DOCUMENT)) == [olena]
    assert NameIndex.search("Kovalenk").count() == 0, "exact, not partial"


def test_a_corrected_name_is_found_under_the_new_name_only():
    person = Person(given_name="Arta", family_name="Hoxa")
    person.save()
    person.family_name = "Hoxha"
    person.save()
    assert list(NameIndex.search("Arta Hoxha")) == [person]
    assert NameIndex.search("Arta Hoxa").count() == 0


def test_the_index_survives_key_rotation():
    person = Person(given_name="Salma", family_name="Bennani")
    person.save()
    rotate()
    assert list(NameIndex.search("salma bennani")) == [person]


def test_a_bulk_job_reads_the_index_key_once_and_gets_the_same_indexes():
    names = ["Ivanna Petrenko", "Amina El Idrissi", "Arben Hoxha"]
    one_by_one = [blind_index(name, purpose="name") for name in names]
    with CaptureQueriesContext(connection) as queries, key_held():
        held = [blind_index(name, purpose="name") for name in names]
    assert held == one_by_one
    assert len(queries) == 1  # the key, once
    with CaptureQueriesContext(connection) as queries:
        blind_index(names[0], purpose="name")
    assert len(queries) == 1  # outside the block, the key is looked up again
