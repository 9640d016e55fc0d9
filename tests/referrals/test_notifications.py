"""What happens on a referral is told to the other organisation, in the app and by e-mail, with
the case reference and the organisation that acted only; the home page lists the referrals
waiting for an answer, each a link with its case reference and answer deadline."""

import pytest
from django.core import mail
from django.test import TestCase
from django_tasks_db.models import DBTaskResult

from trm.accounts.models import Role
from trm.deadlines.models import (
    Deadline,
    DeadlineKind,
    Notification,
    NotificationEvent,
    OutgoingEmail,
)
from trm.deadlines.outbox import deliver
from trm.deadlines.tasks import deliver_emails
from trm.referrals import actions, withdrawal
from trm.referrals.models import MessageKind

from .journeys import Journey, committed

pytestmark = pytest.mark.django_db

# What must never reach a notification or an e-mail: the person's name and the free text of the
# referral, its message, question, reason and answer.
PERSONAL = ["Anila", "Hoxha", "Tirana", "cousin", "stepfather", "capacity", "Elira"]


@pytest.fixture
def journey(personas):
    return Journey(personas)


@pytest.fixture
def receiving_focal_point(journey):
    return journey.staff(journey.receiver, Role.FOCAL_POINT)


@pytest.fixture
def sending_focal_point(journey):
    return journey.staff(journey.sender, Role.FOCAL_POINT)


@pytest.fixture
def referral(journey, receiving_focal_point, sending_focal_point):
    return journey.send(journey.to_referral())


def told(user, event=None):
    found = Notification.objects.filter(user=user)
    return found.filter(event=event) if event else found


def assert_nothing_personal(*texts):
    for text in texts:
        for word in PERSONAL:
            assert word not in text


def emails_to(user):
    return [message for message in mail.outbox if message.to == [user.email]]


def test_a_new_referral_notifies_the_receiving_organisations_focal_points_and_case_workers(
    journey, receiving_focal_point, sending_focal_point
):
    supervisor = journey.staff(journey.receiver, Role.SUPERVISOR)
    gone = journey.staff(journey.receiver, Role.CASE_WORKER)
    gone.memberships.update(is_active=False)
    case = journey.to_referral()
    mail.outbox.clear()

    referral = journey.send(case)

    deadline = Deadline.objects.get(referral_id=referral.pk, kind=DeadlineKind.REFERRAL_RESPONSE)
    for user in [journey.receiving_worker, receiving_focal_point]:
        [notification] = told(user)
        assert notification.event == NotificationEvent.REFERRED
        assert notification.referral_id == referral.pk
        assert notification.deadline == deadline
        assert notification.organisation == journey.sender
        assert notification.text.startswith(f"Case {case.reference}: a new referral from ")
        assert journey.sender.name in notification.text
        assert "waits for your answer by" in notification.text
        [email] = emails_to(user)
        assert email.subject == f"New referral: case {case.reference}"
        assert notification.text in email.body
        assert "/notifications/" in email.body
        assert_nothing_personal(notification.text, email.subject, email.body)
    for user in [supervisor, gone, journey.worker, sending_focal_point]:
        assert not told(user).exists()
        assert emails_to(user) == []


def test_the_step_writes_its_emails_into_the_outbox_and_the_worker_sends_them(
    journey, receiving_focal_point
):
    case = journey.to_referral()
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=False) as on_commit:
        actions.send_referral(journey.worker, case, journey.receiver, ["identity"])
    assert told(journey.receiving_worker).count() == 1, "written in the step's transaction"
    waiting = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.PENDING)
    assert {email.recipient for email in waiting} == {
        journey.receiving_worker,
        receiving_focal_point,
    }, "the e-mails too"
    for callback in on_commit:
        callback()
    assert mail.outbox == [], "the commit only nudges the worker"
    assert DBTaskResult.objects.ready().filter(task_path=deliver_emails.module_path).count() == 1
    deliver()
    assert {message.to[0] for message in mail.outbox} == {
        journey.receiving_worker.email,
        receiving_focal_point.email,
    }


def test_a_refused_referral_notifies_nobody(journey, receiving_focal_point):
    case = journey.to_referral()
    with pytest.raises(actions.DomainError):
        committed(actions.send_referral, journey.worker, case, journey.receiver, ["no-such"])
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    ("answer", "event", "subject"),
    [
        ("accept", NotificationEvent.ACCEPTED, "Referral accepted"),
        ("decline", NotificationEvent.DECLINED, "Referral declined"),
        ("ask", NotificationEvent.ASKED, "Question on the referral"),
    ],
)
def test_the_receivers_answer_notifies_the_sender(
    journey, referral, receiving_focal_point, sending_focal_point, answer, event, subject
):
    mail.outbox.clear()
    before = told(journey.receiving_worker).count()
    receiving = journey.receiving_worker
    if answer == "accept":
        journey.accept(referral)
    elif answer == "decline":
        committed(actions.decline_referral, receiving, referral, "No capacity; her stepfather")
    else:
        committed(actions.ask_for_information, receiving, referral, "Is her cousin involved?")

    for user in [journey.worker, sending_focal_point]:
        [notification] = told(user)
        assert notification.event == event
        assert notification.organisation == journey.receiver
        assert notification.referral_id == referral.pk
        assert notification.text.startswith(f"Case {referral.case.reference}: ")
        assert journey.receiver.name in notification.text
        [email] = emails_to(user)
        assert email.subject == f"{subject}: case {referral.case.reference}"
        assert_nothing_personal(notification.text, email.subject, email.body)
    assert told(receiving).count() == before, "the receiving side is not told of its own step"
    assert not told(journey.supervisor).exists(), "the sender's other staff are not disturbed"


def test_an_answer_notifies_the_side_that_asked(journey, referral, receiving_focal_point):
    question = committed(
        actions.ask_for_information, journey.receiving_worker, referral, "Is her cousin involved?"
    )
    mail.outbox.clear()
    committed(actions.answer, journey.worker, referral, question, "Her cousin recruited her.")
    for user in [journey.receiving_worker, receiving_focal_point]:
        [notification] = told(user, NotificationEvent.ANSWERED)
        assert notification.text == (
            f"Case {referral.case.reference}: {journey.sender.name} answered the question about "
            "the referral."
        )
        [email] = emails_to(user)
        assert_nothing_personal(notification.text, email.body)
    assert not told(journey.worker, NotificationEvent.ANSWERED).exists()


def test_a_cancellation_notifies_the_receiving_side(journey, referral, receiving_focal_point):
    mail.outbox.clear()
    committed(actions.cancel_referral, journey.worker, referral, "Her stepfather found her")
    for user in [journey.receiving_worker, receiving_focal_point]:
        [notification] = told(user, NotificationEvent.CANCELLED)
        assert notification.text == (
            f"Case {referral.case.reference}: {journey.sender.name} cancelled the referral; its "
            "access to the case has ended."
        )
        [email] = emails_to(user)
        assert email.subject == f"Referral cancelled: case {referral.case.reference}"
        assert_nothing_personal(notification.text, email.subject, email.body)
    assert not told(journey.worker, NotificationEvent.CANCELLED).exists()


def test_a_withdrawal_of_consent_is_told_to_the_side_that_did_not_record_it(
    journey, referral, receiving_focal_point, sending_focal_point
):
    journey.accept(referral)
    mail.outbox.clear()
    committed(withdrawal.report_withdrawal, journey.receiving_worker, referral, "Her cousin")
    for user in [journey.worker, sending_focal_point]:
        [notification] = told(user, NotificationEvent.CONSENT_WITHDRAWN)
        assert notification.organisation == journey.receiver
        [email] = emails_to(user)
        assert email.subject == f"Consent withdrawn: case {referral.case.reference}"
        assert_nothing_personal(notification.text, email.subject, email.body)
    assert not told(receiving_focal_point, NotificationEvent.CONSENT_WITHDRAWN).exists()


def test_each_message_is_told_once_per_person(journey, referral):
    messages = referral.messages.values_list("pk", flat=True)
    counted = Notification.objects.filter(message_id__in=messages)
    assert counted.count() == counted.values("user", "message_id").distinct().count()
    assert referral.messages.get(kind=MessageKind.SEND).pk in set(
        counted.values_list("message_id", flat=True)
    )


def test_the_notifications_page_links_the_news_to_the_referral(personas, journey, referral):
    page = personas.signed_in(journey.receiving_worker).get("/notifications/")
    assert page.status_code == 200
    assert f'href="/referrals/{referral.pk}/"' in page.text
    assert referral.case.reference in page.text
    assert "New referral" in page.text
    assert_nothing_personal(page.text.split("<main", 1)[-1])


def test_the_home_page_lists_a_waiting_referral_as_a_link_with_its_reference_and_deadline(
    personas, journey, referral
):
    browser = personas.signed_in(journey.receiving_worker)
    page = browser.get("/").text
    section = page.split('id="referrals-heading"', 1)[1].split("</section>", 1)[0]
    assert f'<a href="/referrals/{referral.pk}/" dir="ltr">{referral.case.reference}</a>' in (
        section
    )
    assert "answer due by" in section
    assert "time in Albania" in section, "the deadline in the receiving country's time"
    assert journey.sender.name in section

    committed(
        actions.ask_for_information, journey.receiving_worker, referral, "Is her cousin involved?"
    )
    section = browser.get("/").text.split('id="referrals-heading"', 1)[1].split("</section>")[0]
    assert "waiting for the sender" in section, "no answer is due while the question waits"
    assert referral.case.reference in section
