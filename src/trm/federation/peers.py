"""Pinning peer nodes: a peer is believed only after its operators read out its fingerprint and
it matches the key its signed document presents (`trm peer add URL --fingerprint F`).

The document is fetched from the peer's `/.well-known/trm-node`; it is signed by the key it
names, which binds its encryption key to the pinned signing key. Removing a peer stops all
exchange with it: `pinned` no longer knows its key (its envelopes and its requests for the
directory are refused), the outbox delivers nothing more to it, and its organisations are
no longer `reachable`.
"""

import hmac
import urllib.request

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from joserfc.jwk import OKPKey

from trm.audit.log import record
from trm.directory.models import Node
from trm.lib.errors import DomainError
from trm.lib.steps import step

from .identity import read_signed_document, spoken_fingerprint, this_node
from .models import Peer

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
    """The active peer whose signing key has thumbprint `kid`, and that key."""
    peer = Peer.objects.active().select_related("node").filter(fingerprint=kid).first()
    if peer is None:
        return None
    return peer.name, OKPKey.import_key(peer.signing_key)


def reachable(organisation) -> bool:
    """Whether this node can exchange with the node `organisation` is hosted on: always if it
    is hosted here, otherwise only while that node is pinned (a removed peer's organisations
    stay listed, unreachable). Whether it is active is the directory's own question."""
    return organisation.is_reachable


def encryption_key_of(peer: Peer) -> OKPKey:
    return OKPKey.import_key(peer.encryption_key)
