"""Operating the exchange (issue 12, item 7 and the alert of item 4): `trm outbox` and
`trm inbox` list, retry and explain envelopes without personal data; the administrators'
status page shows each peer's queue, delivery time, clock and connection; an envelope
undelivered too long is told to the administrators and focal points, once."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from tests.federation.test_envelope import Node, sealed
from tests.federation.test_inbox import deliver, now_offer
from tests.federation.test_messages import example
from trm.accounts.models import Role
from trm.audit.models import AuditEvent
from trm.cli import main
from trm.deadlines.models import Notification, NotificationEvent, OutgoingEmail
from trm.deadlines.outbox import deliver as send_emails
from trm.directory.models import Node as DirectoryNode
from trm.federation.alerts import alert_undelivered
from trm.federation.envelope import Message, Party
from trm.federation.models import OutgoingEnvelope, Peer
from trm.federation.operations import age, percentile, retry
from trm.federation.outbox import _refused, queue
from trm.federation.receipts import sign_receipt
from trm.lib.steps import step

pytestmark = pytest.mark.django_db

# What the package below holds about the (invented) person: never in an operator's output.
PERSONAL = ("Arta", "Invented", "2010-05-14", "grandmother")


@pytest.fixture
def greece(albania):
    """The Greek node pinned here, its keys held by the test to sign its receipts."""
    return Node("gr").pinned_here()


@step
def send(type_="package", sequence=1) -> OutgoingEnvelope:
    payload = {**example(type_)}
    return queue(
        Message(
            type=type_,
            sender=Party("al", "iom-albania"),
            recipient=Party("gr", "iom-greece"),
            conversation="0b5f8a9e-3c1d-4e7a-9f2b-6d4c8e1a2b3c",
            sequence=sequence,
            previous="",
            expects="accepted",
            payload=payload,
        ),
        Peer.objects.get(),
    )


def receipted(envelope: OutgoingEnvelope, greece, *, after: datetime.timedelta, skew):
    """`envelope` delivered `after` its queueing, Greece's clock `skew` ahead of this node's."""
    delivered = envelope.queued_at + after
    OutgoingEnvelope.objects.filter(pk=envelope.pk).update(
        state=OutgoingEnvelope.State.DELIVERED,
        delivered_at=delivered,
        receipt=sign_receipt(
            key=greece.signing,
            node="gr",
            envelope_hash=envelope.envelope_hash,
            message_id=envelope.message_id,
            received_at=delivered + skew,
            outcome="applied",
        ),
    )


def run(capsys, *args) -> str:
    main(list(args))
    return capsys.readouterr().out


def test_the_outbox_lists_its_envelopes_with_no_personal_data(greece, capsys):
    sent = send()
    listed = run(capsys, "outbox")
    header, row = listed.splitlines()
    assert header.split("\t")[:7] == [
        "id", "message", "peer", "type", "conversation", "sequence", "state",
    ]  # fmt: skip
    assert row.split("\t")[:9] == [
        str(sent.pk), sent.message_id, "gr", "package", sent.conversation, "1", "queued", "0", "-",
    ]  # fmt: skip
    assert not any(word in listed for word in PERSONAL)


def test_explain_tells_what_happened_step_by_step_and_a_refused_one_can_be_sent_again(
    greece, capsys
):
    sent = send()
    _refused(sent, 400, b'{"code": "schema_violation", "detail": "..."}')
    explained = run(capsys, "outbox", "--explain", sent.message_id)
    assert "sealed and queued" in explained
    assert "refused by the peer, code schema_violation" in explained
    assert f"trm outbox --retry {sent.pk}" in explained
    assert not any(word in explained for word in PERSONAL)

    said = run(capsys, "outbox", "--retry", str(sent.pk))
    assert "queued again" in said
    sent.refresh_from_db()
    assert (sent.state, sent.attempts) == (OutgoingEnvelope.State.QUEUED, 1)
    assert sent.next_attempt_at <= timezone.now()
    assert AuditEvent.objects.filter(action="trm.envelope.retried").get().details == {
        "peer": "gr", "message": sent.message_id, "type": "package", "was": "refused",
    }  # fmt: skip
    assert "queued again by an operator (it was refused)" in run(
        capsys, "outbox", "--explain", str(sent.pk)
    )


def test_a_retry_lifts_the_peers_circuit_breaker_but_a_delivered_envelope_is_not_sent_again(
    greece, capsys
):
    sent = send()
    later = timezone.now() + datetime.timedelta(hours=1)
    Peer.objects.update(unreachable_since=timezone.now(), next_contact_at=later)
    retry(sent)
    assert Peer.objects.get().next_contact_at is None
    receipted(sent, greece, after=datetime.timedelta(seconds=1), skew=datetime.timedelta(0))
    with pytest.raises(SystemExit) as refused:
        main(["outbox", "--retry", sent.message_id])
    assert "delivered" in str(refused.value.code)
    with pytest.raises(SystemExit) as missing:
        main(["outbox", "--explain", "no-such-message"])
    assert "no envelope" in str(missing.value.code)


def test_the_inbox_lists_and_explains_what_peers_delivered(greece, albania, capsys):
    this_node = Node("al")
    this_node.encryption = albania.encryption_key
    message = now_offer()
    assert deliver(sealed(message, greece, this_node)).status_code == 200
    listed = run(capsys, "inbox")
    # The offer names organisations this node does not know: refused when applied.
    assert f"\t{message.id}\tgr\toffer\t{message.conversation}\t1\trefused\t" in listed
    explained = run(capsys, "inbox", "--explain", message.id)
    assert "verified, stored and receipted" in explained
    assert "trm.envelope.received" in explained
    assert "refused when applied, code " in explained
    assert "grandmother" not in listed + explained


def test_durations_and_percentiles_read_as_operators_expect():
    now = timezone.now()
    assert [age(now - datetime.timedelta(seconds=s), now) for s in (5, 300, 3900, 200_000)] == [
        "5s", "5m", "1h05m", "2d07h",
    ]  # fmt: skip
    values = list(range(1, 101))
    assert (percentile(values, 0.5), percentile(values, 0.95), percentile([7], 0.95)) == (
        50,
        95,
        7,
    )


# --- the status page ------------------------------------------------------------------------

STATUS = "/federation/status"


@pytest.fixture
def exchange(greece):
    """Greece: two envelopes waiting, one for 90 minutes; ten delivered in the last day (1 to
    10 s after queueing, the last one held there), its clock 10 minutes ahead; one delivered
    two days ago; its directory copied 3 hours ago."""
    with time_machine.travel(timezone.now() - datetime.timedelta(days=2)):
        old = send(sequence=1)
        receipted(old, greece, after=datetime.timedelta(hours=5), skew=datetime.timedelta(0))
    for n in range(10):
        receipted(
            send(sequence=2 + n),
            greece,
            after=datetime.timedelta(seconds=n + 1),
            skew=datetime.timedelta(minutes=10),
        )
    OutgoingEnvelope.objects.filter(pk=OutgoingEnvelope.objects.latest("pk").pk).update(
        outcome="held"
    )
    DirectoryNode.objects.filter(name="gr").update(
        directory_fetched_at=timezone.now() - datetime.timedelta(hours=3, seconds=20)
    )
    with time_machine.travel(timezone.now() - datetime.timedelta(minutes=90)):
        oldest = send(sequence=12)
    send(sequence=13)
    return oldest


def test_an_administrator_sees_each_peers_queue_delivery_time_clock_and_connection(
    personas, exchange
):
    administrator = personas.albanian_administrator()
    page = personas.signed_in(administrator).get(STATUS)
    assert page.status_code == 200
    text = page.content.decode()
    row = text[text.index('<th scope="row" dir="ltr">gr') :]
    cells = [cell.split(">", 1)[1].split("</td")[0] for cell in row.split("<td")[1:10]]
    assert cells[0] == "2"
    assert exchange.message_id in cells[1]
    assert "queued 1 hour 30 minutes ago" in cells[1]
    assert (cells[2], cells[3]) == ("0", "1")
    assert cells[4].startswith("5 seconds, 10 seconds (10 messages)")
    assert cells[5] == "10 minutes ahead"
    assert cells[7] == "copied 3 hours ago"
    assert cells[8] == "reachable"
    assert not any(word in text for word in PERSONAL)


def test_the_status_page_shows_an_open_circuit_breaker(personas, exchange):
    Peer.objects.update(
        unreachable_since=timezone.now() - datetime.timedelta(minutes=20),
        next_contact_at=timezone.now() + datetime.timedelta(minutes=5),
    )
    text = personas.signed_in(personas.albanian_administrator()).get(STATUS).content.decode()
    assert "<strong>unreachable since " in text
    assert ", next try " in text


def test_the_status_page_is_refused_to_others_and_linked_for_administrators(personas, greece):
    administrator = personas.signed_in(personas.albanian_administrator())
    assert STATUS in administrator.get("/").content.decode()
    worker = personas.signed_in(personas.spanish_case_worker())
    assert worker.get(STATUS).status_code == 403
    assert STATUS not in worker.get("/").content.decode()
    focal_point = personas.signed_in(personas.albanian_focal_point())
    assert focal_point.get(STATUS).status_code == 403
    anonymous = Client().get(STATUS)
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous.url


# --- the alert ------------------------------------------------------------------------------


def test_an_envelope_undelivered_too_long_is_told_once_to_administrators_and_focal_points(
    personas, greece, settings
):
    settings.FEDERATION_UNDELIVERED_ALERT_MINUTES = 60
    administrator = personas.albanian_administrator()
    focal_point = personas.albanian_focal_point(language="fr")
    case_worker = personas.spanish_case_worker()
    staff = personas.ukrainian_coordinator()
    staff.is_staff = True
    staff.save()
    with time_machine.travel(timezone.now() - datetime.timedelta(minutes=59)):
        waiting = send()
        refused = send(sequence=2)
        delivered = send(sequence=3)
    _refused(refused, 400, b'{"code": "stale"}')
    receipted(delivered, greece, after=datetime.timedelta(seconds=2), skew=datetime.timedelta(0))

    assert alert_undelivered() == 0, "59 minutes is not yet too long"
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        assert alert_undelivered() == 2
        assert alert_undelivered() == 0, "once per envelope"
        assert OutgoingEmail.objects.count() == 6
        send_emails()

    told = Notification.objects.filter(event=NotificationEvent.UNDELIVERED)
    assert {(n.user, n.envelope) for n in told} == {
        (user, envelope.message_id)
        for user in (administrator, focal_point, staff)
        for envelope in (waiting, refused)
    }
    assert case_worker not in {n.user for n in told}
    assert OutgoingEnvelope.objects.filter(alerted_at__isnull=False).count() == 2
    events = AuditEvent.objects.filter(action="trm.envelope.undelivered")
    assert sorted(e.details["message"] for e in events) == sorted(
        [waiting.message_id, refused.message_id]
    )
    assert all(e.details["told"] == 3 for e in events)

    to_admin = [m for m in mail.outbox if m.to == [administrator.email]]
    assert len(to_admin) == 2
    assert to_admin[0].subject == "Undelivered message to the node gr"
    assert "60 minutes" in to_admin[0].body
    assert sorted(waiting.message_id in m.body for m in to_admin) == [False, True]
    assert sorted(refused.message_id in m.body for m in to_admin) == [False, True]
    assert len([m for m in mail.outbox if m.to == [focal_point.email]]) == 2
    assert not any(word in m.body for m in mail.outbox for word in PERSONAL)


def test_the_alert_waits_as_long_as_the_setting_says(personas, greece, settings):
    settings.FEDERATION_UNDELIVERED_ALERT_MINUTES = 180
    personas.albanian_administrator()
    with time_machine.travel(timezone.now() - datetime.timedelta(minutes=120)):
        send()
    assert alert_undelivered() == 0
    settings.FEDERATION_UNDELIVERED_ALERT_MINUTES = 60
    assert alert_undelivered() == 1


def test_the_alert_shows_among_the_notifications_without_a_case(personas, greece):
    administrator = personas.albanian_administrator()
    focal_point = personas.albanian_focal_point()
    with time_machine.travel(timezone.now() - datetime.timedelta(hours=2)):
        waiting = send()
    alert_undelivered()
    client = personas.signed_in(administrator)
    page = client.get("/notifications/")
    assert page.status_code == 200
    text = page.content.decode()
    assert waiting.message_id in text
    assert f'href="{STATUS}">gr</a>' in text
    assert waiting.message_id in client.get("/").content.decode()
    # A focal point is told too, without a link to a page it may not open.
    text = personas.signed_in(focal_point).get("/notifications/").content.decode()
    assert waiting.message_id in text
    assert STATUS not in text


def test_the_worker_runs_the_alert_periodically():
    from trm.core.worker import idempotent_tasks, periodic_jobs
    from trm.federation.tasks import alert_undelivered_envelopes

    assert alert_undelivered_envelopes in [job.task for job in periodic_jobs()]
    assert alert_undelivered_envelopes.module_path in idempotent_tasks()


def test_the_exchange_commands_explain_themselves(capsys):
    for command in (["outbox"], ["inbox"], ["federation", "schemas"]):
        with pytest.raises(SystemExit) as exit_:
            main([*command, "--help"])
        assert exit_.value.code == 0
        assert "usage: trm" in capsys.readouterr().out


def test_the_schemas_command_checks_the_committed_files(capsys):
    assert "are those the models make" in run(capsys, "federation", "schemas", "--check")


def test_an_account_that_is_not_active_administers_nothing(personas):
    administrator = personas.albanian_administrator()
    assert administrator.administers_node
    administrator.is_active = False
    assert not administrator.administers_node
    assert Role.ORGANISATION_ADMIN in administrator.roles()


def test_the_api_lists_the_alert_as_a_notification_of_no_case(personas, greece):
    administrator = personas.albanian_administrator()
    with time_machine.travel(timezone.now() - datetime.timedelta(hours=2)):
        waiting = send()
    alert_undelivered()
    answer = personas.signed_in(administrator).get("/api/tasks/notifications")
    assert answer.status_code == 200, answer.content
    [item] = answer.json()["items"]
    assert (item["event"], item["case_id"], item["case_reference"]) == ("undelivered", None, None)
    assert waiting.message_id in item["text"]


def test_a_message_held_here_too_long_and_a_stopped_conversation_are_shown(
    personas, greece, albania, capsys
):
    """Held: Greece's second message came two hours ago and its first never did (the receipt
    asked for it). Stopped: Greece refused this node's message before it could believe it."""
    this_node = Node("al")
    this_node.encryption = albania.encryption_key
    with time_machine.travel(timezone.now() - datetime.timedelta(hours=2)):
        early = now_offer(type="ask", sequence=2, previous="0" * 64, payload={"question": "?"})
        assert deliver(sealed(early, greece, this_node)).status_code == 200
    explained = run(capsys, "inbox", "--explain", early.id)
    assert "its conversation waits for sequence 1" in explained
    assert "held 2h00m, longer than 60 minutes" in explained

    refused = send("ask", 1)
    _refused(refused, 400, b'{"code": "bad_signature"}')
    behind = send("ask", 2)
    assert "stopped: the peer refused ask" in run(capsys, "outbox", "--explain", behind.message_id)
    listed = run(capsys, "outbox")
    assert f"\t{behind.message_id}\tgr\task\t{behind.conversation}\t2\tqueued/stopped\t" in listed

    text = personas.signed_in(personas.albanian_administrator()).get(STATUS).content.decode()
    stopped = text[text.index("Conversations stopped by the node gr") :]
    assert f"{refused.message_id}, conversation {refused.conversation}, sequence 1" in stopped
    assert f"bad_signature (ID {refused.pk})" in stopped
    held = text[text.index("Messages from the node gr held here") :]
    assert f"ask {early.id}, conversation {early.conversation}, sequence 2" in held
    assert not any(word in text for word in PERSONAL)
