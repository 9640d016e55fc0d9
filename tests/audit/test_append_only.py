"""The database itself refuses to change or remove an audit event, whoever asks."""

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from trm.audit.log import record
from trm.audit.models import AuditEvent
from trm.audit.reasons import digest
from trm.audit.verify import verify_chain

pytestmark = pytest.mark.django_db

TABLE = AuditEvent._meta.db_table


@pytest.fixture
def event():
    record("trm.case.viewed", object_type="cases.case", object_id="1")
    return record("trm.person.updated", object_type="cases.case", object_id="1", reason="typo")


def refused():
    # A savepoint, so PostgreSQL's aborted statement does not end the test's transaction.
    return pytest.raises(IntegrityError, match="audit events are append-only")


def test_an_update_is_refused_by_the_database(event):
    with refused(), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="something else")
    with refused(), transaction.atomic():
        event.reason = "something else"
        event.save()
    with refused(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET reason = %s WHERE id = %s", ["x", event.pk])  # noqa: S608
    assert AuditEvent.objects.get(pk=event.pk).reason == digest("typo")
    assert verify_chain().ok


def test_a_delete_is_refused_by_the_database(event):
    with refused(), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with refused(), transaction.atomic():
        AuditEvent.objects.get(pk=event.pk).delete()
    with refused(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [event.pk])  # noqa: S608
    with refused(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608
    assert AuditEvent.objects.count() == 2
    assert verify_chain().ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_a_truncate_is_refused_by_the_database(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {TABLE}")
    assert AuditEvent.objects.count() == 2
