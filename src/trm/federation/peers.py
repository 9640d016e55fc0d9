"""Pinning peer nodes: a peer is believed only after its operators read out its fingerprint and
it matches the key its signed document presents (`trm peer add URL --fingerprint F`).

The document is fetched from the peer's `/.well-known/trm-node`; it is signed by the key it
names, which binds its encryption key to the pinned signing key. Removing a peer stops all
exchange with it: `pinned` no longer knows its key (its envelopes and its requests for the
directory are refused), the outbox delivers nothing more to it, and its organisations are
no longer `reachable`.

A peer that rotates its keys (`trm node rotate-keys`) publishes the announcement in that same
document until the overlap ends. This node fetches it when something signed by a key it does
not know comes from the peer (an envelope, a receipt) and every few hours (the worker's
`check_peer_keys`); it pins the new keys only if the announcement is signed by the key pinned
now and by the new one, and believes the old ones until the overlap's end. Pulled, not pushed
as a message: the outbox delivers conversation by conversation, so an announcement sent as an
envelope could arrive after envelopes signed by the new key, which would be refused for good;
fetched when needed, its order does not matter, and a peer that was down learns it on its
first contact. Forged, replayed or expired announcements change nothing.
"""

import base64
import datetime
import hmac
import json
import logging
import urllib.request

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

from trm.audit.log import record
from trm.directory.models import Node
from trm.lib.errors import DomainError
from trm.lib.steps import step

from .identity import (
    NodeIdentity,
    read_announcement,
    read_signed_document,
    rotate_keys,
    spoken_fingerprint,
    this_node,
)
from .models import Peer

log = logging.getLogger(__name__)

WELL_KNOWN = "/.well-known/trm-node"
# A node document is a few kilobytes; more is not one.
MAX_DOCUMENT_BYTES = 64 * 1024
OWN_NAME = gettext_lazy("This is this node's own name: a node does not pin itself.")
NOT_A_NODE = gettext_lazy("The node at this address did not answer with a signed node document.")


def fetch_document(address: str, *, timeout: float = 10.0) -> str:
    """The signed document a node serves at its address; OSError if it cannot be fetched."""
    if settings.PRODUCTION and not address.startswith("https://"):
        raise DomainError(_("A peer's address must use HTTPS."))
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above in production)
        address.rstrip("/") + WELL_KNOWN, headers={"Accept": "application/jose"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
        data = answer.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DomainError(NOT_A_NODE)
    return data.decode("ascii", errors="replace")


def fingerprint_matches(given: str, thumbprint: str) -> bool:
    """`given` is the thumbprint itself or its spoken form (32 hex digits, spaces optional)."""
    given = given.strip()
    spoken = spoken_fingerprint(thumbprint).replace(" ", "")
    return hmac.compare_digest(given, thumbprint) or hmac.compare_digest(
        given.replace(" ", "").lower(), spoken
    )


@step
def add_peer(address: str, fingerprint: str, document: str) -> Peer:
    """Pin the node whose signed `document` was fetched from `address`, if its signing key
    has `fingerprint`; refused, pinning nothing, otherwise."""
    try:
        found, key = read_signed_document(document)
    except ValueError:
        raise DomainError(
            _("The node at this address did not answer with a signed node document.")
        ) from None
    thumbprint = key.thumbprint()
    if not fingerprint_matches(fingerprint, thumbprint):
        raise DomainError(
            _(
                "The fingerprint does not match: the node at this address presents %(spoken)s. "
                "Do not pin it until its operators have confirmed its fingerprint to you."
            )
            % {"spoken": spoken_fingerprint(thumbprint)}
        )
    if found["name"] == this_node().name:
        raise DomainError(OWN_NAME)
    active = Peer.objects.active()
    if (
        active.filter(node__name=found["name"]).exists()
        or active.filter(fingerprint=thumbprint).exists()
    ):
        raise DomainError(_("This node is pinned already: remove it first to pin it again."))
    node, _created = Node.objects.get_or_create(name=found["name"], defaults={"base_url": address})
    if node.is_this_node:
        raise DomainError(OWN_NAME)
    if node.base_url != address:
        node.base_url = address
        node.save(update_fields=["base_url"])
    peer = Peer.objects.create(
        node=node,
        countries=found["countries"],
        signing_key=found["keys"]["signing"],
        encryption_key=found["keys"]["encryption"],
        fingerprint=thumbprint,
    )
    record("trm.peer.added", target=peer, details={"peer": peer.name, "fingerprint": thumbprint})
    return peer


@step
def remove_peer(name: str) -> Peer:
    """Stop all exchange with the peer called `name`."""
    peer = (
        Peer.objects.active()
        .select_for_update(of=("self",))
        .select_related("node")
        .filter(node__name=name)
        .first()
    )
    if peer is None:
        raise DomainError(_("No pinned peer has this name."))
    peer.removed_at = timezone.now()
    peer.save(update_fields=["removed_at"])
    record("trm.peer.removed", target=peer, details={"peer": peer.name})
    return peer


def pinned(kid: str) -> tuple[str, OKPKey] | None:
    """The active peer whose signing key has thumbprint `kid`, and that key: its current key,
    or the one before its last rotation until the overlap ends."""
    active = Peer.objects.active().select_related("node")
    peer = active.filter(fingerprint=kid).first()
    if peer is not None:
        return peer.name, OKPKey.import_key(peer.signing_key)
    peer = active.filter(previous_fingerprint=kid, previous_until__gt=timezone.now()).first()
    if peer is not None:
        return peer.name, OKPKey.import_key(peer.previous_signing_key)
    return None


def signing_keys_of(peer: Peer) -> list[OKPKey]:
    """The keys a peer's receipts may be signed with now."""
    keys = [OKPKey.import_key(peer.signing_key)]
    if peer.previous_valid(timezone.now()):
        keys.append(OKPKey.import_key(peer.previous_signing_key))
    return keys


def reachable(organisation) -> bool:
    """Whether this node can exchange with the node `organisation` is hosted on: always if it
    is hosted here, otherwise only while that node is pinned (a removed peer's organisations
    stay listed, unreachable). Whether it is active is the directory's own question."""
    return organisation.is_reachable


def encryption_key_of(peer: Peer) -> OKPKey:
    return OKPKey.import_key(peer.encryption_key)


# Key rotation -----------------------------------------------------------------------------

# A peer's document is fetched at most this often for a rotation, however many envelopes
# signed by unknown keys arrive in its name.
CHECK_AT_MOST_EVERY = datetime.timedelta(minutes=1)
ROTATION_REFUSED = gettext_lazy("The key rotation was refused: %(reason)s")


class RotationRefused(DomainError):
    """An announcement that is not believed; `code` says why (never personal data)."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(ROTATION_REFUSED % {"reason": code})


def rotate_own_keys(*, overlap_days: int) -> NodeIdentity:
    """Rotate this node's keys (`identity.rotate_keys`), then audit it. The keys are files,
    written first: a step run again by the database must not rotate twice."""
    node = rotate_keys(overlap_days=overlap_days)
    _record_own_rotation(node)
    return node


@step
def _record_own_rotation(node: NodeIdentity) -> None:
    record(
        "trm.node.keys_rotated",
        details={
            "fingerprint": node.fingerprint,
            "previous": node.previous.signing_key.thumbprint(),
            "until": node.previous.until.isoformat(),
        },
    )


@step
def accept_rotation(name: str, announcement: dict) -> bool:
    """Pin the new keys the active peer `name` announced, believing the old ones until the
    overlap's end; False if they are pinned already (the announcement seen before). Refused,
    changing nothing, unless the key pinned now and the new key both signed it, it names
    this peer, and its overlap has not ended."""
    peer = (
        Peer.objects.active()
        .select_for_update(of=("self",))
        .select_related("node")
        .filter(node__name=name)
        .first()
    )
    if peer is None:
        raise RotationRefused("unknown_peer")
    current = OKPKey.import_key(peer.signing_key)
    try:
        found = read_announcement(announcement, pinned_key=current)
    except ValueError:
        if _announces(announcement) == peer.fingerprint:
            return False  # the rotation pinned already, still published during its overlap
        raise RotationRefused("bad_signature") from None
    if found.get("node") != peer.name:
        raise RotationRefused("another_node")
    try:
        until = datetime.datetime.fromisoformat(found["until"])
        created = datetime.datetime.fromisoformat(found["created"])
    except (KeyError, TypeError, ValueError):
        raise RotationRefused("malformed") from None
    now = timezone.now()
    if until.tzinfo is None or created.tzinfo is None:
        raise RotationRefused("malformed")
    if until <= now:
        # Too late: the old key is not believed any more, so neither is what it signed.
        raise RotationRefused("overlap_ended")
    new_signing, new_encryption = found["keys"]["signing"], found["keys"]["encryption"]
    kid = OKPKey.import_key(new_signing).thumbprint()
    if Peer.objects.active().exclude(pk=peer.pk).filter(fingerprint=kid).exists():
        raise RotationRefused("key_of_another_peer")
    peer.previous_signing_key, peer.previous_encryption_key = peer.signing_key, peer.encryption_key
    peer.previous_fingerprint, peer.previous_until = peer.fingerprint, until
    peer.signing_key, peer.encryption_key, peer.fingerprint = new_signing, new_encryption, kid
    peer.save(
        update_fields=[
            "signing_key",
            "encryption_key",
            "fingerprint",
            "previous_signing_key",
            "previous_encryption_key",
            "previous_fingerprint",
            "previous_until",
        ]
    )
    record(
        "trm.peer.keys_rotated",
        target=peer,
        details={
            "peer": peer.name,
            "fingerprint": kid,
            "previous": peer.previous_fingerprint,
            "until": until.isoformat(),
        },
    )
    return True


def _announces(announcement) -> str:
    """The new signing key's thumbprint an announcement names, unverified ("" if none)."""
    try:
        encoded = str(announcement["payload"])
        payload = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
        return OKPKey.import_key(payload["keys"]["signing"]).thumbprint()
    except (KeyError, TypeError, ValueError, AttributeError, JoseError):
        return ""


@step
def _refused_rotation(name: str, code: str) -> None:
    peer = Peer.objects.active().select_related("node").filter(node__name=name).first()
    if peer is not None:
        record("trm.peer.rotation_refused", target=peer, details={"peer": name, "code": code})


def learn_rotation(peer: Peer, *, force: bool = False) -> bool:
    """Fetch `peer`'s document and pin the keys its rotation announces, if it announces one
    this node may believe; whether new keys were pinned. At most once a minute per peer
    unless `force`; a peer that cannot be reached or refuses changes nothing."""
    now = timezone.now()
    if not force:
        claimed = (
            Peer.objects.active()
            .filter(pk=peer.pk)
            .exclude(keys_checked_at__gt=now - CHECK_AT_MOST_EVERY)
            .update(keys_checked_at=now)
        )
        if not claimed:
            return False
    try:
        document, _key = read_signed_document(fetch_document(peer.address))
    except (OSError, ValueError, DomainError) as problem:
        log.warning("the document of %s cannot be read: %s", peer.name, type(problem).__name__)
        return False
    announcement = document.get("rotation")
    if announcement is None:
        return False
    try:
        return accept_rotation(peer.name, announcement)
    except RotationRefused as refused:
        log.warning("key rotation of %s refused: %s", peer.name, refused.code)
        _refused_rotation(peer.name, refused.code)
        return False


def learn_rotation_of(name: str) -> bool:
    """`learn_rotation` for the active peer called `name`, if there is one: the envelope that
    names it as its sender is signed by a key this node has not pinned."""
    peer = Peer.objects.active().select_related("node").filter(node__name=name).first()
    return peer is not None and learn_rotation(peer)


def check_peer_keys() -> int:
    """Look for a rotation at every active peer; how many had new keys pinned."""
    return sum(
        learn_rotation(peer, force=True)
        for peer in Peer.objects.active().select_related("node").order_by("pk")
    )
