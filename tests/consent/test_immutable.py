"""The database itself refuses to change or remove a consent record, whoever asks."""

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from tests.consent.conftest import give
from trm.consent.models import ConsentRecord

TABLE = ConsentRecord._meta.db_table


def refused():
    # A savepoint, so PostgreSQL's aborted statement does not end the test's transaction.
    return pytest.raises(IntegrityError)


def test_consent_records_cannot_be_changed_or_deleted(case_worker, case):
    consent = give(case_worker, case)
    with refused(), transaction.atomic():
        ConsentRecord.objects.filter(pk=consent.pk).update(categories=["identity", "location"])
    with refused(), transaction.atomic():
        consent.categories = ["identity", "location"]
        consent.save()
    with refused(), transaction.atomic():
        ConsentRecord.objects.filter(pk=consent.pk).delete()
    with refused(), transaction.atomic():
        ConsentRecord.objects.get(pk=consent.pk).delete()
    with refused(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET purpose = %s", ["statistics"])  # noqa: S608
    with refused(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608
    assert ConsentRecord.objects.get(pk=consent.pk).categories == ["identity"]


def test_the_triggers_name_what_they_refuse(case_worker, case):
    give(case_worker, case)
    with (
        pytest.raises(IntegrityError, match="consent records cannot be changed or deleted"),
        transaction.atomic(),
    ):
        ConsentRecord.objects.update(language="fr")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_a_truncate_is_refused_by_the_database(case_worker, case):
    give(case_worker, case)
    with connection.cursor() as cursor:
        # The insert's deferred foreign-key checks must run first, or PostgreSQL refuses the
        # TRUNCATE for its own reasons before the trigger is asked.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with pytest.raises(DatabaseError, match="cannot be changed"), transaction.atomic():
            cursor.execute(f"TRUNCATE {TABLE}")
    assert ConsentRecord.objects.count() == 1
