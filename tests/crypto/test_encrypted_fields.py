"""Personal data is ciphertext in the database, readable only in its own place."""

import datetime

import pytest
from django.db import connection

from trm.cases.models import Person
from trm.crypto.envelope import DecryptionError

pytestmark = pytest.mark.django_db

OLENA = {
    "given_name": "Олена",
    "family_name": "Коваленко",
    "given_name_latin": "Olena",
    "family_name_latin": "Kovalenko",
    "birth_date": datetime.date(2001, 2, 3),
    "document_number": "FX123456",
    "contacts": {"phone": "+380 67 123 4567", "address": "вул. Вигадана 10, Тестопіль"},
}


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def dump_of_the_database() -> bytes:
    """Every value of every table, as a raw dump would show them."""
    found = []
    for table in connection.introspection.table_names():
        for row in raw(f'SELECT * FROM "{table}"'):  # noqa: S608
            for value in row:
                found.append(bytes(value) if isinstance(value, memoryview | bytes) else
                             str(value).encode())  # fmt: skip
    return b"\n".join(found)


def test_a_raw_dump_shows_no_name_birth_date_address_phone_or_document_number():
    person = Person(**OLENA)
    person.save()
    person.given_name = "Олена Петрівна"  # a second version in the history table too
    person.save()
    dump = dump_of_the_database()
    for secret in ["Олена", "Коваленко", "Olena", "Kovalenko", "2001-02-03", "FX123456",
                   "+380 67 123 4567", "Вигадана", "Тестопіль"]:  # fmt: skip
        assert secret.encode() not in dump, secret


def test_values_read_back_as_they_were_written():
    person = Person(**OLENA)
    person.save()
    again = Person.objects.get(pk=person.pk)
    assert again.given_name == "Олена"
    assert again.birth_date == datetime.date(2001, 2, 3)
    assert again.contacts["address"].endswith("Тестопіль")
    assert again.history.earliest().family_name == "Коваленко"


def test_a_value_moved_to_another_row_fails_to_decrypt():
    olena = Person(**OLENA)
    olena.save()
    other = Person(given_name="Arta", family_name="Hoxha")
    other.save()
    stolen = Person.objects.filter(pk=olena.pk).values_list("given_name", flat=True)[0]
    Person.objects.filter(pk=other.pk).update(given_name=bytes(stolen))
    with pytest.raises(DecryptionError, match="integrity check"):
        Person.objects.get(pk=other.pk).given_name  # noqa: B018


def test_a_value_moved_to_another_field_fails_to_decrypt():
    olena = Person(**OLENA)
    olena.save()
    ciphertext = Person.objects.filter(pk=olena.pk).values_list("given_name", flat=True)[0]
    Person.objects.filter(pk=olena.pk).update(family_name=bytes(ciphertext))
    again = Person.objects.get(pk=olena.pk)
    assert again.given_name == "Олена"
    with pytest.raises(DecryptionError, match="cases.person.family_name"):
        again.family_name  # noqa: B018


def test_a_corrupted_value_is_an_error_not_an_empty_value():
    olena = Person(**OLENA)
    olena.save()
    ciphertext = bytearray(
        Person.objects.filter(pk=olena.pk).values_list("given_name", flat=True)[0]
    )
    ciphertext[-1] ^= 1
    Person.objects.filter(pk=olena.pk).update(given_name=bytes(ciphertext))
    with pytest.raises(DecryptionError, match="integrity check"):
        Person.objects.get(pk=olena.pk).given_name  # noqa: B018
    Person.objects.filter(pk=olena.pk).update(given_name=b"not ciphertext")
    with pytest.raises(DecryptionError, match="not trm ciphertext"):
        Person.objects.get(pk=olena.pk).given_name  # noqa: B018


def test_encrypted_fields_cannot_be_used_in_queries():
    with pytest.raises(TypeError, match="encrypted"):
        list(Person.objects.filter(given_name="Олена"))


def test_each_person_has_a_data_key_of_their_own():
    first, second = Person(given_name="A"), Person(given_name="B")
    first.save()
    second.save()
    assert first.data_key_id != second.data_key_id
