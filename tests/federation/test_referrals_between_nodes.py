"""A referral between two real nodes: Greece (`trm serve` in its own process, data directory and
SQLite database) refers a child's case to an organisation hosted on Albania (this test process,
served by the live server, on the suite's database). Every step is taken on the node whose
people take it and crosses as an envelope (issue 12, items 4 to 6).

The child's walk, from identification to the first monitoring summary back in Greece, goes
through each node's own API over HTTP, with each side's token, and checks what each side's API
shows: the preview only until acceptance, then the package, and where each message stands. The
other scenarios take their steps through the same actions as on one node and check what each
side holds in its own database: a withdrawal that crosses the acceptance is refused there and
changes nothing on either side.
"""

import datetime
import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.core.test_cli import trm
from tests.federation.callers import Caller, signed_in
from tests.federation.conftest import ONE_AT_A_TIME
from trm.access.policy import access_to
from trm.accounts.models import Membership, Role, User
from trm.accounts.views import PENDING
from trm.api.models import Scope
from trm.api.tokens import create_token
from trm.demo_journeys import ALL_SCORES_3, USUAL_CONSENT, today
from trm.directory.models import Node, Organisation
from trm.federation.models import IncomingEnvelope, Outcome, OutgoingEnvelope
from trm.federation.outbox import deliver_due
from trm.federation.peers import add_peer, fetch_document
from trm.lib.errors import DomainError
from trm.referrals import actions
from trm.referrals.models import Referral, ReferralState

pytestmark = pytest.mark.django_db(transaction=True)

# Run on the Greek node, in its own process and database: its staff take their steps there.
GREEK_STEPS = """
import json, os, sys
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "trm.settings"
django.setup()
from trm.accounts.models import User
from trm.demo import _organisation_for, create_demo_data
from trm.demo_journeys import ScriptedJourney
from trm.directory.models import Country, Node, Organisation
from trm.referrals import actions
from trm.referrals.models import Referral, ReferralMessage

asked = json.loads(sys.argv[1])
create_demo_data()
greek = _organisation_for(Country.objects.get(code="GR"), "services")
worker = User.objects.get(username="gr.caseworker")
done = {}
if asked["step"] == "credentials":
    # What the walk's people bring: the case system's token of the Greek case worker, and
    # the supervisor's authenticator key (they sign in with its code).
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from trm.api.models import Scope
    from trm.api.tokens import create_token
    from trm.federation.models import Peer
    from trm.federation.shared_directory import fetch_directory
    fetch_directory(Peer.objects.active().get(node__name="al"))
    _token, secret = create_token(None, greek, name="Case system", scopes=list(Scope.values),
                                  maker=worker)
    done = {"token": secret, "authenticator": TOTPDevice.objects.get(
        user__username="gr.supervisor").key}
elif asked["step"] == "refer":
    # The Greek node hosts Greece's organisations only: the Albanian ones are its copy of the
    # directory the node "al" publishes.
    from trm.federation.models import Peer
    from trm.federation.shared_directory import fetch_directory
    fetch_directory(Peer.objects.active().get(node__name="al"))
    albanian = Organisation.objects.get(slug=asked["receiver"])
    team = ScriptedJourney(greek, albanian, worker,
                           User.objects.get(username="gr.supervisor"), None)
    case = team.to_referral(child=True, escort_needed=True)
    referral = team.send(case)
    done = {"referral": str(referral.pk), "reference": case.reference, "case": str(case.pk),
            "organisation": greek.slug}
elif asked["step"] == "withdraw_consent":
    from trm.consent.actions import withdraw_consent
    from trm.consent.state import current_consents
    referral = Referral.objects.get(pk=asked["referral"])
    consent = current_consents(referral.case.person).get(
        purpose="referral", recipient_organisation=referral.receiver)
    withdraw_consent(worker, referral.case, consent, "She no longer wants it.")
elif asked["step"] == "erase":
    from trm.rights.erasure import erase_person
    referral = Referral.objects.get(pk=asked["referral"])
    erase_person(User.objects.get(username="gr.dpo"), referral.case, "Her request, by letter.")
elif asked["step"] == "try_to_end":
    from trm.cases.actions import journey
    from trm.lib.errors import DomainError
    from trm.rights.erasure import erase_person
    referral = Referral.objects.get(pk=asked["referral"])
    case = referral.case
    for attempt in (
        lambda: journey.move(worker, case, "withdraw_referral", version=case.version),
        lambda: erase_person(User.objects.get(username="gr.dpo"), case, "Her request."),
    ):
        try:
            attempt()
        except DomainError as refused:
            done.setdefault("refused", []).append(" ".join(map(str, refused.reasons)))
elif asked["step"] == "withdraw":
    actions.cancel_referral(worker, Referral.objects.get(pk=asked["referral"]),
                            "She changed her mind.")
print(json.dumps(done))
"""


class Greece:
    """The Greek node as its people and its database see it."""

    def __init__(self, node):
        self.node = node

    def take(self, step: str, **details) -> dict:
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("TRM_", "DJANGO_"))}
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-c", textwrap.dedent(GREEK_STEPS),
             json.dumps({"step": step, **details})],
            env={**clean, "TRM_HOME": str(self.node.home)}, capture_output=True, text=True,
            timeout=300, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.splitlines()[-1])

    def api(self, path: str):
        """What the Greek node's API answers a system of the Greek organisation."""
        if not hasattr(self, "token"):
            made = trm("token", "create", "--organisation", self.organisation, "--scopes",
                       "referrals:read", "--name", "test", "--by", "gr.caseworker",
                       home=self.node.home)  # fmt: skip
            assert made.returncode == 0, made.stderr
            self.token = next(x for x in made.stdout.splitlines() if x.startswith("trm_"))
        request = urllib.request.Request(  # noqa: S310
            self.node.address + path, headers={"Authorization": f"Bearer {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            return json.loads(answer.read())

    def deliver(self):
        """The Greek worker sends what is waiting in its outbox."""
        done = trm("worker", "--once", home=self.node.home, env=ONE_AT_A_TIME)
        assert done.returncode == 0, done.stderr[-3000:]

    def query(self, sql: str, *parameters):
        with sqlite3.connect(self.node.home / "trm.sqlite3") as database:
            return database.execute(sql, parameters).fetchall()

    def referral(self, pk) -> tuple[str, str]:
        """The Greek referral's state and its case's stage."""
        [found] = self.query(
            "SELECT r.state, c.stage FROM referrals_referral r JOIN cases_case c "
            "ON c.id = r.case_id WHERE r.id = ?",
            str(pk).replace("-", ""),
        )
        return found

    def kinds(self, pk) -> list[str]:
        return [
            kind
            for (kind,) in self.query(
                "SELECT kind FROM referrals_referralmessage WHERE referral_id = ? ORDER BY sent_at",
                str(pk).replace("-", ""),
            )
        ]


@pytest.fixture
def nodes(greece_pins_albania):
    """Each node pinned by the other; Albania's copy of the Greek directory marked as the
    Greek node's; an Albanian case worker at the organisation Greece refers to."""
    greek = greece_pins_albania
    add_peer(greek.address, greek.fingerprint, fetch_document(greek.address))
    Organisation.objects.filter(country__code="GR").update(hosted_on=Node.objects.get(name="gr"))
    receiver = Organisation.objects.filter(country__code="AL", kind="international").first()
    worker = User.objects.create_user("al.worker", password="x")  # noqa: S106
    Membership.objects.create(user=worker, organisation=receiver, role=Role.CASE_WORKER)
    return Greece(greek), receiver, worker


def in_a_week():
    return timezone.now() + datetime.timedelta(days=7)


def kinds(messages: list[dict]) -> list[str]:
    return [message["kind"] for message in messages]


def test_a_childs_case_walks_from_the_referral_to_monitoring_through_each_nodes_api(
    nodes, live_server
):
    """Every step is a call to the API of the node whose person takes it, with their token
    (a supervisor's approval: their signed-in browser); each side sees what its API shows."""
    greece, receiver, albanian_worker = nodes
    given = greece.take("credentials")
    gr = Caller(greece.node.address, given["token"])
    gr_supervisor = signed_in(greece.node.address, "gr.supervisor", given["authenticator"])
    _token, secret = create_token(None, receiver, name="Case system",
                                  scopes=list(Scope.values), maker=albanian_worker)  # fmt: skip
    al = Caller(live_server.url, secret)

    # Greece identifies the child, assists and counsels her; she chooses to go home.
    opened = gr("POST", "/api/cases/", {"is_child": True, "person": {
        "given_name": "Anila", "family_name": "Hoxha", "birth_date": "2009-05-14",
        "sex": "female", "citizenship": "AL", "document_number": "BA 1234567"},
    }, expect=201)  # fmt: skip
    gr.case = case = opened["id"]
    gr.record("screening", {"signal": "ngo_outreach", "outcome": "presumed_victim",
                            "indicators": ["withheld_documents"],
                            "exploitation": ["forced_labour"]})  # fmt: skip
    gr.record("guardian", {"guardian": "Guardianship service, Athens", "appointed_on": today()})
    gr.move("presume_victim")
    gr.record("immediate_assessment", {"risk_of_re_trafficking": "high", "needs": "Shelter."})
    gr.record("reflection_period", {"starts_on": today()})
    gr.record("support_plan", {"needs": "Safe housing.", "actions": "A shelter, a doctor."})
    gr.move("start_counselling")
    gr.record("counselling", {"choice": "return", "language": "sq", "interpreter": True,
                              "childs_views": "She misses her aunt and school."})  # fmt: skip
    [there] = [o for o in gr("GET", "/api/directory/organisations?country=AL&limit=100")["items"]
               if o["slug"] == receiver.slug]  # fmt: skip
    child = {"language": "sq", "guardian_consent": True, "child_views": "She wants to go home."}
    gr("POST", f"/api/cases/{case}/consents", {"purpose": "assistance",
       "categories": ["identity", "health", "assistance"], **child}, expect=201)  # fmt: skip
    gr("POST", f"/api/cases/{case}/consents", {"purpose": "referral", "categories": list(
       USUAL_CONSENT), "recipient_organisation": there["id"], **child}, expect=201)  # fmt: skip
    gr.move("choose_return")
    risk = gr.record("risk_assessment", {"risk_level": "medium", "escort_needed": True,
                     "needs_on_arrival": "Housing away from the village."})  # fmt: skip
    gr.record("return_decision", {"decision": "go"})
    gr.record("best_interests_determination", {"return_in_best_interests": "yes",
              "reasoning": "Her aunt can care for her.", "childs_views": "Yes."})  # fmt: skip
    asked = gr("POST", f"/api/cases/{case}/approvals",
               {"subject": "best_interests_determination"}, expect=201)  # fmt: skip
    gr_supervisor("POST", f"/api/cases/{case}/approvals/{asked['id']}/decision",
                  {"approve": True, "comment": "Agreed."})  # fmt: skip
    assert gr.move("decide_go")["stage"] == "referral"

    # Greece refers her to the Albanian organisation; Albania holds the offer, nothing more.
    sent = gr("POST", f"/api/cases/{case}/referrals", {"receiver": there["id"],
              "categories": list(USUAL_CONSENT), "message": "Please receive her in Tirana.",
              "texts": [{"record": risk["id"], "field": "needs_on_arrival"}]},
              expect=201)  # fmt: skip
    referral = sent["id"]
    greece.deliver()
    inbox = al("GET", "/api/referrals/inbox")
    [offer] = inbox["items"]
    assert (offer["id"], offer["case_reference"]) == (referral, sent["case_reference"])
    assert offer["preview"]["child"] is True
    assert offer["preview"]["escort_needed"] is True
    al.case = offer["case_id"]  # Albania's copy of the case, under an id of its own
    [sending] = al.thread(referral)
    assert sending["content"] is None
    assert sending["preview"]["child"] is True
    assert "Anila" not in json.dumps([inbox, sending]), "nothing that names her"
    al("GET", f"/api/cases/{al.case}", expect=404)
    al("GET", f"/api/cases/{al.case}/records", expect=404)
    assert gr("GET", f"/api/referrals/{referral}")["state"] == "received", "the receipt came"

    # Albania asks; Greece answers; the answer comes back. The question shows where it is.
    question = al("POST", f"/api/referrals/{referral}/questions",
                  {"question": "Does she have an identity document?"}, expect=201)  # fmt: skip
    [waiting] = [m for m in al.thread(referral) if m["id"] == question["id"]]
    assert (waiting["delivery"]["state"], waiting["delivery"]["node"]) == ("queued", "gr")
    assert deliver_due().delivered == 2  # and the notice that Albania read the offer
    [arrived] = [m for m in gr.thread(referral) if m["kind"] == "ask_information"]
    assert arrived["id"] == question["id"], "both nodes keep it under the same id"
    [offered] = [m for m in gr.thread(referral) if m["kind"] == "send"]
    assert offered["delivery"]["state"] == "answered", "a question answers an offer"
    assert offered["delivery"]["read_at"], "and Greece knows when Albania first opened it"
    gr("POST", f"/api/referrals/{referral}/answers", {"in_reply_to": question["id"],
       "text": "She has a passport, it is with the police."}, expect=201)  # fmt: skip
    greece.deliver()
    assert kinds(al.thread(referral)) == ["send", "ask_information", "answer"]

    # Albania accepts: Greece's case moves on, and the shared part of the case arrives.
    al("POST", f"/api/referrals/{referral}/accept", {"met_by": "Arta Hoxha",
       "place": "Tirana airport", "meeting_at": in_a_week().isoformat()})  # fmt: skip
    assert deliver_due().delivered == 4  # with its record, its step, and a read answer
    assert gr("GET", f"/api/referrals/{referral}")["state"] == "accepted"
    assert gr("GET", f"/api/cases/{case}")["stage"] == "return_preparation"
    greece.deliver()
    copy = al("GET", f"/api/cases/{al.case}")
    assert copy["is_child"]
    assert copy["person"]["fields"]["given_name"] == "Anila"
    shared = {"risk_assessment", "best_interests_determination", "reception_arrangements"}
    held = {r["kind"] for r in al("GET", f"/api/cases/{al.case}/records")["items"]}
    assert shared <= held, held
    # The narrative Greece read and included shows there; one it did not include does not.
    records = {r["kind"]: r for r in al("GET", f"/api/cases/{al.case}/records")["items"]}
    assert "Housing away from the village." in json.dumps(records["risk_assessment"])
    assert "Her aunt can care for her." not in json.dumps(records)
    assert al.thread(referral)[0]["content"] is not None, "the referral itself, once accepted"

    # The return: each side takes its own steps on its own node, and the other copy follows.
    al.record("risk_assessment", {"risk_level": "medium",
                                  "needs_on_arrival": "Shelter for the first weeks."})  # fmt: skip
    al.record("family_assessment", {"outcome": "suitable", "caregiver": "Her aunt, Drita Hoxha",
                                    "assessment": "The aunt has a stable home."})  # fmt: skip
    assert deliver_due().delivered == 2
    gr.record("return_preparation", {"travel_documents_ready": True, "departure_on": today(),
              "consular_verification": True, "itinerary": "Direct flight to Tirana.",
              "escort_arranged": True, "escort": "IOM escort"})  # fmt: skip
    departed = timezone.now().isoformat(timespec="milliseconds")
    assert gr.move("depart", {"departed_at": departed})["stage"] == "travel"
    greece.deliver()
    copy = al("GET", f"/api/cases/{al.case}")
    assert copy["stage"] == "travel"
    returned = gr("GET", f"/api/cases/{case}")["returned_at"]
    assert returned.startswith(departed[:23])
    assert copy["returned_at"] == returned
    assert kinds(al.thread(referral))[-1] == "departure_notice"
    al.move("confirm_reception", {"received_at": timezone.now().isoformat(),
            "met_by": "Arta Hoxha", "place": "Tirana airport",
            "caregiver": "Her aunt, Drita Hoxha"})  # fmt: skip
    al.record("reintegration_plan", {"agreed_on": today(), "goals": "School in Tirana.",
                                     "child_protection_lead": True})  # fmt: skip
    al.record("assistance_item", {"type": "education", "provider": "A school in Tirana",
                                  "status": "planned", "budget": "300"})  # fmt: skip
    assert al.move("agree_plan")["stage"] == "monitoring"
    al.record("monitoring_contact", {"contacted_on": today(), **ALL_SCORES_3,
              "situation": "She goes to school and feels safe."})  # fmt: skip
    assert deliver_due().delivered > 0

    # Back in Greece: the first monitoring summary on the thread, and where each message stands.
    assert gr("GET", f"/api/referrals/{referral}")["state"] == "in_progress"
    assert gr("GET", f"/api/cases/{case}")["stage"] == "monitoring"
    on_greece = gr.thread(referral)
    assert kinds(on_greece) == [
        "send", "ask_information", "answer", "accept", "departure_notice",
        "reception_confirmation", "monitoring_summary"]  # fmt: skip
    summary = on_greece[-1]["content"]
    assert summary["contacted_on"] == today()
    assert summary["scores"]["overall"] > 0
    assert "feels safe" not in json.dumps(summary), "her situation in words stays in the record"
    on_albania = al.thread(referral)
    assert [m["id"] for m in on_albania] == [m["id"] for m in on_greece]
    # Where each message stands for its sender (delivered, read once the other side opened
    # it and its notice came back, answered); a received message has no delivery.
    for thread, here in ((on_greece, "GR"), (on_albania, "AL")):
        states = {m["kind"]: (m["delivery"] or {}).get("state") for m in thread
                  if m["from_organisation"]["country"] == here}  # fmt: skip
        received = [m["delivery"] for m in thread if m["from_organisation"]["country"] != here]
        assert received == [None] * len(received)
        assert set(states.values()) <= {"delivered", "read", "answered"}, states
    greek = {m["kind"]: m["delivery"]["state"] for m in on_greece if m["delivery"]}
    assert (greek["send"], greek["answer"]) == ("answered", "read")
    contacts = gr("GET", f"/api/cases/{case}/records?kind=monitoring_contact")
    assert contacts["count"] == 1, "Greece sees the receiving side's contact as the owner"
    # Nothing either node received was refused or held.
    assert set(IncomingEnvelope.objects.values_list("outcome", flat=True)) == {Outcome.APPLIED}
    assert set(greece.query("SELECT DISTINCT outcome FROM federation_incomingenvelope")) == {
        ("applied",)}  # fmt: skip


def test_a_withdrawal_that_crosses_the_acceptance_is_refused_and_changes_nothing(nodes):
    greece, receiver, worker = nodes
    sent = greece.take("refer", receiver=receiver.slug)
    greece.organisation = sent["organisation"]
    greece.deliver()
    referral = Referral.objects.get(pk=sent["referral"])

    # Albania accepts while Greece withdraws: neither has heard of the other's step yet.
    actions.accept_referral(worker, referral, met_by="Arta Hoxha", place="Tirana airport",
                            meeting_at=in_a_week())  # fmt: skip
    greece.take("withdraw", referral=sent["referral"])
    assert greece.referral(sent["referral"]) == ("received", "referral"), "only asked for"
    greece.deliver()
    [[outcome, refusal]] = greece.query(
        "SELECT outcome, refusal FROM federation_outgoingenvelope WHERE type = 'withdraw'"
    )
    assert (outcome, refusal) == ("refused", "already_accepted")
    assert greece.referral(sent["referral"]) == ("received", "referral")
    referral.refresh_from_db()
    assert referral.state == ReferralState.ACCEPTED
    # Greece's people see why: through their node's API, as an outside system would.
    thread_there = greece.api(f"/api/referrals/{sent['referral']}/thread")
    [withdrawal] = [m for m in thread_there if m["kind"] == "cancel"]
    assert withdrawal["delivery"]["state"] == "refused"
    assert withdrawal["delivery"]["refusal"] == "already_accepted"

    # The acceptance reaches Greece and applies: both sides agree.
    assert deliver_due().delivered == 3  # with its record and step
    assert greece.referral(sent["referral"]) == ("accepted", "return_preparation")
    assert OutgoingEnvelope.objects.get(type="accept").outcome == Outcome.APPLIED


def test_an_offer_waiting_on_another_node_keeps_the_case_from_going_back_or_being_erased(nodes):
    greece, receiver, _worker = nodes
    sent = greece.take("refer", receiver=receiver.slug)
    greece.deliver()
    refused = greece.take("try_to_end", referral=sent["referral"])["refused"]
    assert len(refused) == 2
    assert all("withdraw it first and wait for that node to confirm" in text for text in refused)
    assert greece.referral(sent["referral"]) == ("received", "referral")


def test_a_declined_referral_is_declined_on_both_nodes(nodes):
    greece, receiver, worker = nodes
    sent = greece.take("refer", receiver=receiver.slug)
    greece.deliver()
    referral = Referral.objects.get(pk=sent["referral"])
    actions.decline_referral(worker, referral, "We have no place for a child this month.")
    assert deliver_due().delivered == 1
    assert greece.referral(sent["referral"]) == ("declined", "referral")
    assert greece.kinds(sent["referral"]) == ["send", "decline"]


def accepted_on_both_nodes(greece, receiver, worker) -> tuple[dict, Referral]:
    sent = greece.take("refer", receiver=receiver.slug)
    greece.organisation = sent["organisation"]
    greece.deliver()
    referral = Referral.objects.get(pk=sent["referral"])
    actions.accept_referral(worker, referral, met_by="Arta Hoxha", place="Tirana airport",
                            meeting_at=in_a_week())  # fmt: skip
    deliver_due()
    greece.deliver()  # the package
    referral.refresh_from_db()
    assert referral.case.person.given_name == "Anila"
    return sent, referral


def test_consent_withdrawn_on_the_sending_node_destroys_the_copy_and_the_sender_sees_it(nodes):
    greece, receiver, worker = nodes
    sent, referral = accepted_on_both_nodes(greece, receiver, worker)
    greece.take("withdraw_consent", referral=sent["referral"])
    assert greece.referral(sent["referral"])[0] == "cancelled"
    greece.deliver()
    referral.refresh_from_db()
    assert referral.state == ReferralState.CANCELLED
    person = referral.case.person
    assert person.erased_at is not None, "the copy's key is destroyed"
    assert not access_to(worker, referral.case)
    # What Greece sent about her (the package, the updates) is not kept either: this node's
    # key would still open it. Their ids and receipts stay, for duplicates and the trails.
    kept = IncomingEnvelope.objects.filter(conversation=sent["referral"])
    assert kept.count() >= 3
    assert not kept.exclude(envelope="").exists()
    assert deliver_due().delivered == 1  # the confirmation
    assert greece.kinds(sent["referral"])[-1] == "copy_destroyed"
    [delivery] = [m for m in greece.api(f"/api/referrals/{sent['referral']}/thread")
                  if m["kind"] == "copy_destroyed"]  # fmt: skip
    assert delivery["from_organisation"]["country"] == "AL"


def test_a_person_erased_on_the_sending_node_is_erased_on_the_receiving_node_too(nodes):
    greece, receiver, worker = nodes
    sent, referral = accepted_on_both_nodes(greece, receiver, worker)
    greece.take("erase", referral=sent["referral"])
    greece.deliver()
    referral.refresh_from_db()
    assert referral.case.person.erased_at is not None
    assert deliver_due().delivered == 1
    # Only the confirmation, which came after the erasure and says nothing of her, is kept.
    opened_there = greece.query(
        "SELECT type FROM federation_incomingenvelope WHERE conversation = ? "
        "AND envelope != ''", sent["referral"])  # fmt: skip
    assert opened_there == [("erased",)], "Albania's messages about her outlived her erasure"
    assert not IncomingEnvelope.objects.filter(conversation=sent["referral"]).exclude(envelope="")
    [[destroyed]] = greece.query(
        "SELECT count(*) FROM audit_auditevent WHERE action = 'trm.referral.copy_destroyed' "
        "AND details LIKE ?", f"%{sent['referral']}%")  # fmt: skip
    assert destroyed == 1


def forged_by_greece(greece, referral, message_type, payload, *, sender=None) -> dict:
    """An envelope Greece's own key signs, next in the referral's conversation, saying what
    Greece may not say; what the receipt says was done with it."""
    from cryptography.hazmat.primitives import serialization
    from django.test import Client
    from joserfc.jwk import OKPKey

    from trm.federation.envelope import Message, Party, seal, stamped
    from trm.federation.identity import this_node
    from trm.federation.models import Conversation
    from trm.federation.receipts import read_receipt

    pem = (greece.node.home / "keys" / "node_ed25519.pem").read_bytes()
    key = serialization.load_pem_private_key(pem, password=None)
    signing = OKPKey.import_key(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))  # fmt: skip
    here = this_node()
    conversation = Conversation.objects.get(peer__node__name="gr", key=str(referral.pk))
    message = stamped(Message(
        type=message_type,
        sender=Party("gr", sender or referral.sender.slug),
        recipient=Party("al", referral.receiver.slug),
        conversation=str(referral.pk), sequence=conversation.applied + 1,
        previous=conversation.last_applied_hash, expects="accepted", payload=payload,
    ), now=timezone.now(), lifetime=datetime.timedelta(hours=1))  # fmt: skip
    public = lambda key: OKPKey.import_key(key.as_dict(private=False))  # noqa: E731
    envelope = seal(message, signing_key=signing, recipient_key=public(here.encryption_key))
    answer = Client().post("/federation/inbox", envelope.encode(), content_type="application/jose")
    assert answer.status_code == 200, answer.content
    stored = IncomingEnvelope.objects.get(message_id=message.id)
    return read_receipt(answer.content.decode(), key=public(here.signing_key),
                        envelope_hash=stored.envelope_hash)  # fmt: skip


def test_a_pinned_node_speaks_only_for_its_own_organisation_and_only_in_its_own_part(nodes):
    greece, receiver, worker = nodes
    _sent, referral = accepted_on_both_nodes(greece, receiver, worker)
    case = referral.case
    arrangements = case.records.get(kind="reception_arrangements")
    before = (case.stage, case.version, case.records.count(), referral.messages.count())

    def refusal(message_type, payload, **options):
        receipt = forged_by_greece(greece, referral, message_type, payload, **options)
        assert receipt["outcome"] == Outcome.REFUSED
        return receipt["refusal"]

    # The sending node answers for the receiving organisation, or takes the receiver's steps.
    accepted = {"met_by": "x", "place": "y", "capacity_confirmed": True,
                "meeting_at": in_a_week().isoformat()}  # fmt: skip
    assert refusal("accept", accepted) == "not_their_part"
    assert refusal("reception", {"received_at": timezone.now().isoformat()}) == "not_their_part"
    step = {"event": "confirm_reception", "stage": "reintegration", "returned_at": None,
            "received_at": None, "closed_at": None, "closure_reason": ""}  # fmt: skip
    assert refusal("update", {"step": step}) == "not_their_part"
    # It corrects the receiving organisation's record.
    correction = {"id": str(uuid.uuid4()), "kind": "reception_arrangements",
                  "stage": "return_preparation", "side": "receiving",
                  "recorded_at": timezone.now().isoformat(),
                  "fields": {"confirmed": "no", "met_by": "Someone else"},
                  "supersedes": str(arrangements.pk)}  # fmt: skip
    assert refusal("update", {"record": correction}) == "not_their_record"
    # It speaks for an organisation of this node.
    assert refusal("withdraw", {"reason": "x"}, sender=receiver.slug) == "not_the_senders"

    referral.refresh_from_db()
    case.refresh_from_db()
    assert (case.stage, case.version, case.records.count(), referral.messages.count()) == before
    envoys = User.objects.filter(username__startswith="envoy:")
    assert not envoys.filter(memberships__organisation=receiver).exists()

    # Nor does anyone on this node act for Greece's organisation: its envoy never signs in,
    # even with a password someone set, and no API token is made for it here.
    greek_envoy = envoys.get(memberships__organisation=referral.sender)
    greek_envoy.set_password("a password someone set")
    greek_envoy.save()
    browser = Client()
    signing_in = {"username": greek_envoy.username, "password": "a password someone set"}
    answer = browser.post(reverse("accounts:login"), signing_in)
    assert answer.status_code == 200, "the login page again, not the second factor's"
    assert PENDING not in browser.session
    assert "_auth_user_id" not in browser.session
    with pytest.raises(DomainError, match="works on another trm node"):
        create_token(None, referral.sender, name="bridge", scopes=["referrals:read"])
