"""Each user's notifications: unread first, newest first, marked read one by one or all."""

import datetime
import html

import pytest

from tests.lib.test_steps import aborted
from trm.cases.stages import Stage
from trm.deadlines.models import Notification, NotificationEvent, NotificationQuerySet

from .conftest import PERSONAL_WORDS, local, swept

pytestmark = pytest.mark.django_db

DEPARTED = local("ES", 2026, 5, 12, 8, 0)


@pytest.fixture
def alerted(scene, time_machine):
    """A child's reception reminded, then overdue: the receiving worker and both focal points
    are told."""
    time_machine.move_to(DEPARTED, tick=False)
    case = scene.departed(scene.case(child=True, stage=Stage.RETURN_PREPARATION))
    swept(DEPARTED + datetime.timedelta(hours=13))
    swept(DEPARTED + datetime.timedelta(hours=30))
    return case


def rows(page) -> list[str]:
    body = page.text.split("<tbody>")[1].split("</tbody>")[0]
    return [row for row in body.split("<tr>")[1:]]


def test_a_user_sees_their_notifications_unread_first_then_newest(scene, alerted, time_machine):
    user = scene.sending_focal_point
    [overdue] = Notification.objects.filter(user=user)
    Notification.objects.create(
        user=user, kind=overdue.kind, event=NotificationEvent.REMINDER, case=alerted,
        deadline=overdue.deadline, created_at=overdue.created_at - datetime.timedelta(hours=1),
        read_at=overdue.created_at,
    )  # fmt: skip
    time_machine.move_to(DEPARTED + datetime.timedelta(days=2), tick=True)
    browser = scene.personas.signed_in(user)
    page = browser.get("/notifications/")
    assert page.status_code == 200
    first, second = rows(page)
    assert "not confirmed" in first
    assert "Mark as read" in first
    assert "Reminder" in second
    assert "Mark as read" not in second
    assert "1 unread notification" in page.text
    for word in PERSONAL_WORDS:
        assert word not in page.text


def test_marking_read_is_a_post_of_ones_own_notification(scene, alerted):
    user = scene.sending_focal_point
    [mine] = Notification.objects.filter(user=user)
    browser = scene.personas.signed_in(user)
    assert browser.get(f"/notifications/{mine.pk}/read/").status_code == 405
    [theirs] = Notification.objects.filter(user=scene.receiving_focal_point)
    assert browser.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    response = browser.post(f"/notifications/{mine.pk}/read/")
    assert response.status_code == 302
    assert response.url == "/notifications/"
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None
    assert theirs.read_at is None
    assert "0 unread notifications" in browser.get("/notifications/").text


def test_marking_all_read(scene, alerted):
    user = scene.receiving_worker
    assert Notification.objects.filter(user=user).unread().count() == 1
    browser = scene.personas.signed_in(user)
    assert browser.post("/notifications/read/").status_code == 302
    assert not Notification.objects.filter(user=user).unread().exists()


def test_marking_read_is_a_step_run_again_if_the_database_aborted_it(scene, alerted, monkeypatch):
    # Marking read is a step: aborted once by PostgreSQL (a deadlock, a serialization
    # failure), it runs once more, and the reader never sees a 500.
    update, attempts = NotificationQuerySet.update, []

    def aborted_the_first_time(queryset, **values):
        attempts.append(1)
        updated = update(queryset, **values)
        if len(attempts) == 1:
            raise aborted("40001")
        return updated

    monkeypatch.setattr(NotificationQuerySet, "update", aborted_the_first_time)
    user = scene.sending_focal_point
    [mine] = Notification.objects.filter(user=user)
    browser = scene.personas.signed_in(user)
    assert browser.post(f"/notifications/{mine.pk}/read/").status_code == 302
    assert len(attempts) == 2
    mine.refresh_from_db()
    assert mine.read_at is not None
    attempts.clear()
    other = scene.personas.signed_in(scene.receiving_worker)
    assert other.post("/notifications/read/").status_code == 302
    assert len(attempts) == 2
    assert not Notification.objects.filter(user=scene.receiving_worker).unread().exists()


def test_the_case_is_linked_only_for_those_who_may_open_it(scene, alerted, time_machine):
    link = f'href="/cases/{alerted.pk}/"'
    owner_page = scene.personas.signed_in(scene.sending_focal_point).get("/notifications/")
    assert alerted.reference in owner_page.text
    # The Spanish focal point's organisation does not own the case either.
    assert link not in owner_page.text
    albanian_page = scene.personas.signed_in(scene.receiving_worker).get("/notifications/")
    assert alerted.reference in albanian_page.text
    assert link not in albanian_page.text
    scene.sending_focal_point.memberships.update(organisation=scene.sender)
    time_machine.shift(datetime.timedelta(minutes=1))  # a one-time code is accepted once
    assert link in scene.personas.signed_in(scene.sending_focal_point).get("/notifications/").text


def test_the_page_speaks_the_readers_language(scene, alerted):
    scene.receiving_focal_point.language = "fr"
    scene.receiving_focal_point.save()
    page = scene.personas.signed_in(scene.receiving_focal_point).get("/notifications/")
    assert "l'accueil de l'enfant n'a pas été confirmé" in html.unescape(page.text)
    assert "Marquer comme lue" in page.text


def test_signing_in_is_needed(client):
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert "/accounts/login/" in response.url
