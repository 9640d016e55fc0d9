"""Deadline e-mails leave the node unencrypted: they name the case by its reference, say what is
due and when, link to the node, and hold nothing about the person; each in its reader's language."""

import pytest
from django.core import mail

from trm.cases.stages import Stage
from trm.directory.models import Node

from .conftest import PERSONAL_WORDS, local, swept

pytestmark = pytest.mark.django_db

DEPARTED = local("ES", 2026, 5, 12, 8, 0)


@pytest.fixture
def overdue_child_reception(scene, time_machine):
    Node.objects.filter(is_this_node=True).update(base_url="https://trm.example.org/")
    scene.receiving_focal_point.language = "fr"
    scene.receiving_focal_point.save()
    scene.sending_focal_point.language = "uk"
    scene.sending_focal_point.save()
    time_machine.move_to(DEPARTED, tick=False)
    case = scene.departed(scene.case(child=True, stage=Stage.RETURN_PREPARATION))
    mail.outbox.clear()
    swept(local("AL", 2026, 5, 14, 9, 0))
    return case


def sent_to(user):
    [message] = [m for m in mail.outbox if m.to == [user.email]]
    return message


def test_the_emails_hold_no_personal_data(overdue_child_reception):
    case = overdue_child_reception
    assert mail.outbox
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}"
        for word in PERSONAL_WORDS:
            assert word not in text
        assert case.reference in message.subject
        assert case.reference in message.body
        assert "https://trm.example.org/notifications/" in message.body


def test_each_email_is_in_its_readers_language(scene, overdue_child_reception):
    reference = overdue_child_reception.reference
    french = sent_to(scene.receiving_focal_point)
    assert french.subject == f"En retard : dossier {reference}"
    assert "l'accueil de l'enfant n'a pas été confirmé" in french.body
    assert "13 mai 2026 08:00" in french.body, "the due date in French, in Albania's time"
    assert "Albanie" in french.body
    ukrainian = sent_to(scene.sending_focal_point)
    assert ukrainian.subject == f"Прострочено: випадок {reference}"
    assert "13 травня 2026" in ukrainian.body


def test_an_english_reader_gets_english(scene, time_machine):
    time_machine.move_to(DEPARTED, tick=False)
    case = scene.departed(scene.case(child=True, stage=Stage.RETURN_PREPARATION))
    swept(local("AL", 2026, 5, 12, 20, 30))  # the reminder, halfway through the 24 hours
    message = sent_to(scene.receiving_worker)
    assert message.subject == f"Reminder: case {case.reference}"
    assert (
        f"Case {case.reference}: confirm the child's reception by May 13, 2026, 8 a.m."
        in message.body
    )
    assert "time in Albania" in message.body
