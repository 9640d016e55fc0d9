"""The shared directory: each node publishes the organisations it hosts, signed by its key, and
copies its peers', so the directory shows every connected country's organisations, marked with
their node and the age of the copy; removing a peer stops all exchange (issue 12, item 2).

Most scenarios have Albania (this test process) copy the directory of a Moroccan peer whose
key the test holds, so that it can sign what a peer could send; the first ones copy between
two real nodes, Greece a `trm serve` process with its own SQLite database."""

import base64
import datetime
import json
import sqlite3
import urllib.error
import urllib.request

import pytest
from django.test import Client
from joserfc import jws
from joserfc.jwk import OKPKey

from tests.api.conftest import token_api
from tests.core.test_cli import trm
from tests.core.test_lazy_fetches import lazy_fetches_raise, shown
from trm.accounts.models import Membership, Role, User
from trm.audit.models import AuditEvent
from trm.cli import main
from trm.core.worker import periodic_jobs
from trm.directory.models import Node, Organisation
from trm.directory.seed import ORGANISATIONS
from trm.federation.envelope import Message, Party, canonical, seal, stamped
from trm.federation.identity import NodeIdentity, this_node
from trm.federation.models import Peer
from trm.federation.outbox import queue
from trm.federation.peers import add_peer, fetch_document, reachable, remove_peer
from trm.federation.shared_directory import (
    AUTHORIZATION_SCHEME,
    DIRECTORY_PATH,
    DIRECTORY_TYPE,
    DirectoryRefused,
    copy_directory,
    fetch_directory,
    published_organisations,
    read_directory,
    refresh_due,
    signed_request,
)
from trm.federation.tasks import refresh_directories
from trm.lib.errors import DomainError

SEEDED = {
    code: sorted(data["slug"] for data in ORGANISATIONS if data["country"] == code)
    for code in ("AL", "GR")
}


@pytest.fixture
def albanian_directory(db):
    """The test database as a node serving Albania only would have seeded it."""
    Organisation.objects.exclude(country__code="AL").delete()


def slugs_hosted_on(name: str) -> list[str]:
    return sorted(
        Organisation.objects.filter(hosted_on__name=name, is_active=True).values_list(
            "slug", flat=True
        )
    )


# ---------------------------------------------------------------------------------------------
# Two real nodes
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def peered(greece_pins_albania, albania, albanian_directory):
    """Greece and Albania have pinned each other."""
    greece = greece_pins_albania
    return greece, add_peer(greece.address, greece.fingerprint, fetch_document(greece.address))


def greek_copy_of_albania(greece) -> list[str]:
    with sqlite3.connect(greece.home / "trm.sqlite3") as database:
        return sorted(
            slug
            for (slug,) in database.execute(
                "SELECT o.slug FROM directory_organisation o JOIN directory_node n "
                "ON o.hosted_on_id = n.id WHERE n.name = 'al' AND o.is_active"
            )
        )


@pytest.mark.django_db(transaction=True)
def test_two_nodes_each_host_their_own_country_and_copy_the_others(peered, live_server):
    greece, peer = peered
    copied = fetch_directory(peer)
    assert (copied.peer, copied.listed, copied.made_inactive) == ("gr", len(SEEDED["GR"]), 0)
    # The Greek node was seeded with Greece's organisations only: that is all it publishes.
    assert slugs_hosted_on("gr") == SEEDED["GR"]
    iom = Organisation.objects.get(slug="iom-greece")
    assert not iom.is_hosted_here
    assert iom.country.code == "GR"
    assert iom.services.exists()
    node = Node.objects.get(name="gr")
    assert node.directory_fetched_at is not None
    assert AuditEvent.objects.filter(
        action="trm.directory.copied", details__peer="gr", details__organisations=len(SEEDED["GR"])
    ).exists()
    # Albania's organisations stay this node's own.
    assert all(o.is_hosted_here for o in Organisation.objects.filter(country__code="AL"))

    # And the other way: Greece copies Albania's directory from this node, by hand.
    refreshed = trm("peer", "refresh", "al", home=greece.home)
    assert refreshed.returncode == 0, refreshed.stderr
    assert refreshed.stdout.startswith(f"directory of al copied: {len(SEEDED['AL'])} organis")
    assert greek_copy_of_albania(greece) == SEEDED["AL"]


@pytest.mark.django_db(transaction=True)
def test_the_directory_is_given_only_to_a_pinned_peer_asking_in_its_own_name(peered, live_server):
    greece, peer = peered

    def ask(signer: NodeIdentity | None, to: str = "gr") -> int:
        token = signed_request(signer, to=to, path=DIRECTORY_PATH) if signer else ""
        request = urllib.request.Request(  # noqa: S310 (the Greek node's address)
            greece.address + DIRECTORY_PATH,
            headers={"Authorization": f"{AUTHORIZATION_SCHEME} {token}"} if token else {},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
                return answer.status
        except urllib.error.HTTPError as refused:
            return refused.code

    stranger = NodeIdentity(
        name="al",
        countries=("AL",),
        address="",
        signing_key=OKPKey.generate_key("Ed25519"),
        encryption_key=OKPKey.generate_key("X25519"),
    )
    assert ask(None) == 403
    assert ask(stranger) == 403  # a key Greece has not pinned, in this node's name
    assert ask(this_node(), to="ma") == 403  # a request made for another node
    assert ask(this_node()) == 200


@pytest.mark.django_db(transaction=True)
def test_removing_a_peer_stops_all_exchange_with_it(peered, live_server, personas):
    greece, peer = peered
    fetch_directory(peer)
    greek = Organisation.objects.get(slug="iom-greece")
    assert reachable(greek)
    assert reachable(Organisation.objects.get(slug="iom-albania"))

    assert Organisation.objects.reachable().filter(pk=greek.pk).exists()
    remove_peer("gr")
    greek.refresh_from_db()
    assert not Organisation.objects.reachable().filter(country__code="GR").exists()
    assert Organisation.objects.reachable().filter(country__code="AL").count() == len(SEEDED["AL"])
    # Still listed (referrals point at it), still active, but not reachable any more.
    assert greek.is_active
    assert not reachable(greek)
    assert not greek.is_reachable
    browser = personas.signed_in(personas.albanian_focal_point())
    page = browser.get(greek.get_absolute_url()).content.decode()
    assert "unreachable: this node no longer exchanges with it" in page
    listed = browser.get("/directory/?country=GR").content.decode()
    assert "unreachable" in listed

    # Nothing more is fetched, queued or believed.
    with pytest.raises(DirectoryRefused) as refused:
        fetch_directory(Peer.objects.get(pk=peer.pk))
    assert refused.value.code == "removed"
    with pytest.raises(DomainError, match="removed"):
        queue(
            Message(
                type="offer",
                sender=Party("al", "iom-albania"),
                recipient=Party("gr", "iom-greece"),
                conversation="c0ffee00-0000-4000-8000-000000000001",
                sequence=1,
                previous="",
                expects="none",
                payload={},
            ),
            Peer.objects.get(pk=peer.pk),
        )

    # An envelope really signed by the Greek node's key is refused as from an unknown sender.
    greek_key = OKPKey.import_key((greece.home / "keys" / "node_ed25519.pem").read_bytes())
    albania = this_node()
    now = datetime.datetime.now(datetime.UTC)
    envelope = seal(
        stamped(
            Message(
                type="offer",
                sender=Party("gr", "iom-greece"),
                recipient=Party("al", "iom-albania"),
                conversation="c0ffee00-0000-4000-8000-000000000002",
                sequence=1,
                previous="",
                expects="none",
                payload={},
            ),
            now=now,
            lifetime=datetime.timedelta(hours=1),
        ),
        signing_key=greek_key,
        recipient_key=albania.encryption_key,
    )
    answer = Client().post("/federation/inbox", envelope, content_type="application/jose")
    assert (answer.status_code, answer.json()["code"]) == (400, "unknown_sender")

    # Greece removing this node: pinned again here, its directory is refused to this node.
    again = add_peer(greece.address, greece.fingerprint, fetch_document(greece.address))
    assert reachable(greek)
    removed = trm("peer", "remove", "al", home=greece.home)
    assert removed.returncode == 0, removed.stderr
    with pytest.raises(DirectoryRefused) as refused:
        fetch_directory(again)
    assert refused.value.code == "refused"


@pytest.mark.django_db(transaction=True)
def test_the_worker_refreshes_a_copy_once_it_is_older_than_the_setting(peered, live_server):
    greece, peer = peered
    [job] = [job for job in periodic_jobs() if job.task is refresh_directories]
    assert job.every_seconds == 300
    assert refresh_due(older_than=datetime.timedelta(minutes=60)) == {"copied": 1, "refused": 0}
    assert refresh_due(older_than=datetime.timedelta(minutes=60)) == {"copied": 0, "refused": 0}
    an_hour_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=61)
    Node.objects.filter(name="gr").update(directory_fetched_at=an_hour_ago)
    assert refresh_directories.call() == {"copied": 1, "refused": 0}
    assert Node.objects.get(name="gr").directory_fetched_at > an_hour_ago


@pytest.mark.django_db(transaction=True)
def test_the_command_line_copies_the_directory_on_pinning_and_by_hand(
    greece_pins_albania, albanian_directory, live_server, capsys
):
    greece = greece_pins_albania
    main(["peer", "add", greece.address, "--fingerprint", greece.fingerprint])
    said = capsys.readouterr().out
    assert f"directory of gr copied: {len(SEEDED['GR'])} organisations, 0 no longer" in said
    main(["peer", "refresh", "gr"])
    assert capsys.readouterr().out.startswith("directory of gr copied")
    with pytest.raises(SystemExit) as stopped:
        main(["peer", "refresh", "ma"])
    assert "no pinned peer" in str(stopped.value.code)
    remove_peer("gr")
    with pytest.raises(SystemExit):
        main(["peer", "refresh", "gr"])


# ---------------------------------------------------------------------------------------------
# A peer whose key the test holds
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def morocco(albania, albanian_directory):
    """A Moroccan peer pinned here, and its signing key (which only Morocco would hold)."""
    key = OKPKey.generate_key("Ed25519")
    peer = Peer.objects.create(
        node=Node.objects.create(name="ma", base_url="http://127.0.0.1:9"),
        countries=["MA", "XK"],
        signing_key=key.as_dict(private=False),
        encryption_key=OKPKey.generate_key("X25519").as_dict(private=False),
        fingerprint=key.thumbprint(),
    )
    return peer, key


def entry(slug: str, **changes) -> dict:
    return {
        "slug": slug,
        "name": f"Association {slug}",
        "country": "MA",
        "kind": "ngo",
        "description": {"en": "Shelter and psychosocial support for women and children."},
        "area_served": "Tanger-Tétouan-Al Hoceïma",
        "languages": ["ar", "fr"],
        "serves_adults": True,
        "serves_children": True,
        "is_focal_point": False,
        "email": "contact@example.org",
        "phone": "+212 500 000 000",
        "website": "https://example.org",
        "address": "",
        "capacity_note": "12 places",
        "services": [{"kind": "shelter", "note": ""}, {"kind": "psychosocial", "note": "Arabic"}],
        **changes,
    }


def signed(key: OKPKey, *organisations, node="ma", issued=None, kid=None) -> str:
    issued = issued or datetime.datetime.now(datetime.UTC)
    document = {
        "type": "trm-directory",
        "schema": 1,
        "node": node,
        "countries": ["MA"],
        "issued": issued.isoformat(),
        "organisations": list(organisations),
    }
    return jws.serialize_compact(
        {"alg": "Ed25519", "kid": kid or key.thumbprint(), "typ": DIRECTORY_TYPE},
        canonical(document),
        key,
        algorithms=["Ed25519"],
    )


def copy(peer: Peer, compact: str):
    return copy_directory(peer.pk, read_directory(compact, peer), served=("AL",))


def everything() -> tuple:
    return (
        list(Organisation.objects.order_by("pk").values()),
        list(Node.objects.order_by("pk").values()),
    )


@pytest.mark.django_db
def test_a_peers_organisations_are_copied_onto_its_node_with_their_services(morocco):
    peer, key = morocco
    copied = copy(peer, signed(key, entry("ma-amane"), entry("ma-focal", is_focal_point=True)))
    assert (copied.listed, copied.made_inactive) == (2, 0)
    amane = Organisation.objects.get(slug="ma-amane")
    assert (amane.hosted_on.name, amane.country.code, amane.language_codes) == (
        "ma",
        "MA",
        ["ar", "fr"],
    )
    assert {(s.kind, s.note) for s in amane.services.all()} == {
        ("shelter", ""),
        ("psychosocial", "Arabic"),
    }
    assert Organisation.objects.speaking("ar").filter(slug="ma-amane").exists()
    # Copied again with changes: the same rows, changed.
    copy(peer, signed(key, entry("ma-amane", name="AMANE", services=[]), entry("ma-focal")))
    amane.refresh_from_db()
    assert amane.name == "AMANE"
    assert not amane.services.exists()


@pytest.mark.django_db
def test_an_organisation_the_peer_no_longer_lists_becomes_inactive_but_stays(morocco):
    peer, key = morocco
    copy(peer, signed(key, entry("ma-amane"), entry("ma-insaf")))
    copied = copy(peer, signed(key, entry("ma-amane")))
    assert (copied.listed, copied.made_inactive) == (1, 1)
    insaf = Organisation.objects.get(slug="ma-insaf")
    assert not insaf.is_active
    assert slugs_hosted_on("ma") == ["ma-amane"]
    # Listed again, it is active again.
    copy(peer, signed(key, entry("ma-amane"), entry("ma-insaf")))
    assert slugs_hosted_on("ma") == ["ma-amane", "ma-insaf"]


@pytest.mark.parametrize(
    ("forge", "code"),
    [
        ("another_key", "bad_signature"),
        ("another_key_naming_the_pinned_one", "bad_signature"),
        ("altered", "bad_signature"),
        ("unsigned", "malformed"),
        ("another_node", "other_node"),
    ],
)
@pytest.mark.django_db
def test_a_document_the_pinned_key_did_not_sign_for_this_peer_changes_nothing(morocco, forge, code):
    peer, key = morocco
    copy(peer, signed(key, entry("ma-amane")))
    before = everything()
    intruder = OKPKey.generate_key("Ed25519")
    listing = entry("ma-amane", email="intruder@example.net")
    compact = {
        "another_key": lambda: signed(intruder, listing),
        "another_key_naming_the_pinned_one": lambda: signed(
            intruder, listing, kid=key.thumbprint()
        ),
        "altered": lambda: _altered(signed(key, entry("ma-amane"))),
        "unsigned": lambda: json.dumps({"node": "ma", "organisations": [listing]}),
        "another_node": lambda: signed(key, listing, node="gr"),
    }[forge]()
    with pytest.raises(DirectoryRefused) as refused:
        copy(peer, compact)
    assert refused.value.code == code
    assert everything() == before


def _altered(compact: str) -> str:
    header, payload, signature = compact.split(".")
    document = json.loads(jws.extract_compact(compact.encode()).payload)
    document["organisations"][0]["email"] = "intruder@example.net"
    forged = base64.urlsafe_b64encode(canonical(document)).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


@pytest.mark.parametrize(
    ("listing", "code"),
    [
        (entry("al-a-shelter", country="AL"), "own_country"),
        (entry("gr-a-shelter", country="GR"), "not_its_country"),
        (entry("iom-albania"), "slug_taken"),
        (entry("ma-odd", kind="bakery"), "invalid"),
        (entry("ma-odd", languages=["xx"]), "invalid"),
        (entry("ma-odd", serves_children="yes"), "malformed"),
    ],
)
@pytest.mark.django_db
def test_a_peer_speaks_only_for_organisations_of_its_own_countries_not_hosted_here(
    morocco, listing, code
):
    peer, key = morocco
    copy(peer, signed(key, entry("ma-amane")))
    before = everything()
    with pytest.raises(DirectoryRefused) as refused:
        copy(peer, signed(key, entry("ma-amane", name="Changed"), listing))
    assert refused.value.code == code
    assert refused.value.reasons  # said in words, translated
    assert everything() == before


@pytest.mark.django_db
def test_an_older_signed_copy_never_replaces_a_newer_one(morocco):
    peer, key = morocco
    now = datetime.datetime.now(datetime.UTC)
    old = signed(
        key, entry("ma-amane"), entry("ma-insaf"), issued=now - datetime.timedelta(hours=2)
    )
    copy(peer, signed(key, entry("ma-amane"), issued=now))
    with pytest.raises(DirectoryRefused) as refused:
        copy(peer, old)  # replayed by whoever kept it, to bring back what the peer removed
    assert refused.value.code == "older"
    assert slugs_hosted_on("ma") == ["ma-amane"]
    future = signed(key, entry("ma-amane"), issued=now + datetime.timedelta(hours=1))
    with pytest.raises(DirectoryRefused) as refused:
        copy(peer, future)
    assert refused.value.code == "from_the_future"


@pytest.mark.django_db
def test_organisations_of_a_country_not_configured_here_wait_unshown(morocco):
    peer, key = morocco
    copied = copy(peer, signed(key, entry("ma-amane"), entry("xk-shelter", country="XK")))
    assert (copied.listed, copied.skipped_countries) == (1, ("XK",))
    assert not Organisation.objects.filter(slug="xk-shelter").exists()


@pytest.mark.django_db
def test_the_pages_show_a_peers_organisation_with_its_node_and_the_age_of_the_copy(
    morocco, personas
):
    peer, key = morocco
    copy(peer, signed(key, entry("ma-amane")))
    three_hours_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=3)
    Node.objects.filter(name="ma").update(directory_fetched_at=three_hours_ago)
    browser = personas.signed_in(personas.albanian_focal_point())
    amane = Organisation.objects.get(slug="ma-amane")
    page = browser.get(amane.get_absolute_url()).content.decode()
    assert "ma: copy of" in page
    assert "3\xa0hours old" in page
    assert "unreachable" not in page
    for listing in ("/directory/?country=MA", "/directory/countries/MA/"):
        assert "ma: copy of" in browser.get(listing).content.decode(), listing
    # This node's own organisations carry no such note.
    own = browser.get(Organisation.objects.get(slug="iom-albania").get_absolute_url())
    assert "copy of" not in own.content.decode()
    # The API says the same.
    api = token_api(Organisation.objects.get(slug="iom-albania"), ["directory:read"])
    found = api.get(f"/api/directory/organisations/{amane.pk}").json()
    assert (found["node"], found["reachable"], found["hosted_here"]) == ("ma", True, False)
    copied_at = datetime.datetime.fromisoformat(found["directory_copied_at"])
    assert abs(copied_at - three_hours_ago) < datetime.timedelta(milliseconds=1)
    listed = api.get("/api/directory/organisations", {"country": "AL", "limit": 1}).json()
    assert listed["items"][0]["node"] == ""
    assert listed["items"][0]["directory_copied_at"] is None


@pytest.mark.django_db
def test_what_a_node_publishes_is_its_directory_entries_never_its_staff(albania):
    user = User.objects.create_user(
        username="al.secret", email="arta.private@example.org", password="x" * 20
    )
    hosted = Organisation.objects.get(slug="iom-albania")
    Membership.objects.create(user=user, organisation=hosted, role=Role.FOCAL_POINT)
    published = published_organisations(albania)
    # The countries this node serves only, although the test database hosts all eight.
    assert {entry["country"] for entry in published} == {"AL"}
    assert sorted(entry["slug"] for entry in published) == SEEDED["AL"]
    text = json.dumps(published)
    assert "al.secret" not in text
    assert "arta.private" not in text
    assert set(published[0]) == set(entry("x"))


@pytest.mark.django_db
def test_an_organisation_is_reachable_while_its_node_is_pinned(morocco):
    peer, key = morocco
    copy(peer, signed(key, entry("ma-amane")))
    amane = Organisation.objects.get(slug="ma-amane")
    assert reachable(amane)
    assert Organisation.objects.reachable().filter(pk=amane.pk).exists()
    # A node never pinned (or whose every pin was removed) is reached by no one.
    unpinned = Node.objects.create(name="zz")
    Organisation.objects.filter(pk=amane.pk).update(hosted_on=unpinned)
    amane = Organisation.objects.with_node().get(pk=amane.pk)
    assert not reachable(amane)
    assert not Organisation.objects.reachable().filter(pk=amane.pk).exists()
    assert Organisation.objects.reachable().count() == len(SEEDED["AL"])


@pytest.mark.django_db
def test_a_peers_organisations_are_listed_without_a_lazy_fetch(morocco, personas):
    peer, key = morocco
    copy(peer, signed(key, *(entry(f"ma-{n}") for n in range(5))))
    browser = personas.signed_in(personas.albanian_focal_point())
    # Each shows the note (a fetch blocked inside `{% if %}` would only make it vanish).
    for path, params in [
        ("/directory/", {"country": "MA"}),
        (Organisation.objects.get(slug="ma-1").get_absolute_url(), None),
        ("/directory/countries/MA/", None),
    ]:
        assert "ma: copy of" in shown(browser, path, params).content.decode(), path
    remove_peer("ma")
    assert "unreachable" in shown(browser, "/directory/", {"country": "MA"}).content.decode()
    api = token_api(Organisation.objects.get(slug="iom-albania"), ["directory:read"])
    with lazy_fetches_raise():
        found = api.get("/api/directory/organisations", {"country": "MA"}).json()
    assert {item["reachable"] for item in found["items"]} == {False}
