"""This node's identity among its peers: its name, the countries it serves, its public address,
and two keys: Ed25519 to sign what it sends (the node key, which also signs the audit
checkpoints) and X25519 for peers to encrypt to it.

The keys live in TRM_HOME/keys (or where TRM_NODE_KEY_FILE and TRM_NODE_ENCRYPTION_KEY_FILE
say), readable by the node's user only, like the key-encryption keys; the rest is public and
kept in TRM_HOME/node.json, written by `trm node init`.

`trm node rotate-keys` makes a new pair beside the first, protected the same way, and keeps the
old pair for an overlap (14 days by default): during it envelopes encrypted to either
encryption key are opened, and peers believe either signing key. node.json then names the key
files in use, the previous ones with the overlap's end, and the rotation announcement: the new
public keys and the overlap's end, signed by the old signing key (the authority a peer pinned)
and by the new one (possession of it). The node document at /.well-known/trm-node carries the
announcement, and peers fetch it when they meet the new key or every few hours (peers.py).

The first signing key, in TRM_NODE_KEY_FILE, also signs the audit checkpoints, which `trm
audit verify` checks against that file: it stays there, and only stops signing envelopes.
"""

import base64
import datetime
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext as _
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, OKPKey

from trm.crypto.node_key import node_signing_key
from trm.directory.hosting import identity_file
from trm.lib.errors import DomainError

from .envelope import SIGNING, canonical


class NodeIdentityError(ImproperlyConfigured):
    """The node has no identity yet, or its files are unreadable."""


@dataclass(frozen=True)
class PreviousKeys:
    """The pair before the last rotation, kept until the overlap ends."""

    signing_key: OKPKey
    encryption_key: OKPKey
    until: datetime.datetime

    def public_keys(self) -> dict:
        return {
            "signing": public_jwk(self.signing_key, use="sig"),
            "encryption": public_jwk(self.encryption_key, use="enc"),
            "until": self.until.isoformat(),
        }


@dataclass(frozen=True)
class NodeIdentity:
    name: str
    countries: tuple[str, ...]
    address: str
    signing_key: OKPKey
    encryption_key: OKPKey
    # While the overlap of the last rotation lasts: the keys before it and its announcement.
    previous: PreviousKeys | None = None
    announcement: dict | None = None

    def public_keys(self) -> dict:
        """The two public keys as JWKs, each with its use and its thumbprint as `kid`."""
        return {
            "signing": public_jwk(self.signing_key, use="sig"),
            "encryption": public_jwk(self.encryption_key, use="enc"),
        }

    def decryption_keys(self) -> list[OKPKey]:
        """The encryption keys envelopes to this node may be sealed to: the previous one too,
        until the overlap ends (a peer seals to the key it pinned until it learns the new)."""
        keys = [self.encryption_key]
        if self.previous is not None:
            keys.append(self.previous.encryption_key)
        return keys

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.signing_key)


def public_jwk(key: OKPKey, *, use: str) -> dict:
    return {**key.as_dict(private=False), "use": use, "kid": key.thumbprint()}


def fingerprint(key: OKPKey) -> str:
    """The RFC 7638 thumbprint of a node's signing key, as it is pinned."""
    return key.thumbprint()


def spoken_fingerprint(thumbprint: str) -> str:
    """A short form to read out over the phone: 32 hex digits of the thumbprint's hash in
    groups of four (hex, so no letter case to get wrong)."""
    digits = hashlib.sha256(thumbprint.encode()).hexdigest()[:32]
    return " ".join(digits[i : i + 4] for i in range(0, 32, 4))


def _encryption_key_file() -> Path:
    return Path(settings.NODE_ENCRYPTION_KEY_FILE)


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def _private_pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _read_document() -> dict:
    try:
        return json.loads(identity_file().read_text())
    except FileNotFoundError:
        raise NodeIdentityError("this node has no identity yet: run `trm node init`") from None


def _write_document(document: dict) -> None:
    path = identity_file()
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(document, indent=2) + "\n")
    temporary.replace(path)


def _stored_path(path: Path) -> str:
    """A key file as node.json names it: relative to TRM_HOME when inside it, so that the
    data directory can be moved."""
    try:
        return str(path.relative_to(Path(settings.TRM_HOME)))
    except ValueError:
        return str(path)


def _key_path(stored: str) -> Path:
    return Path(settings.TRM_HOME) / stored  # an absolute `stored` stays itself


def init_node(*, name: str, countries: list[str], address: str) -> NodeIdentity:
    """Give this node its identity; its keys are made once and kept (a second init only
    changes the name, countries and address, and keeps the keys of any rotation)."""
    try:
        kept = {
            k: v for k, v in _read_document().items() if k in ("keys", "previous", "generation")
        }
    except NodeIdentityError:
        kept = {}
    key_file = _encryption_key_file()
    if "keys" not in kept and not key_file.exists():
        _write_private(key_file, _private_pem(X25519PrivateKey.generate()))
    _write_document({"name": name, "countries": sorted(set(countries)), "address": address, **kept})
    return this_node()


def _load_key(stored: str) -> OKPKey:
    try:
        return OKPKey.import_key(_key_path(stored).read_bytes())
    except FileNotFoundError:
        raise NodeIdentityError(f"the node key file {_key_path(stored)} does not exist") from None


def this_node(*, now: datetime.datetime | None = None) -> NodeIdentity:
    """This node's identity; NodeIdentityError if `trm node init` was never run. The keys
    before a rotation are part of it only until the overlap ends."""
    document = _read_document()
    keys = document.get("keys")
    if keys is None:
        try:
            encryption_key = OKPKey.import_key(_encryption_key_file().read_bytes())
        except FileNotFoundError:
            raise NodeIdentityError("this node has no identity yet: run `trm node init`") from None
        signing_key = OKPKey.import_key(_private_pem(node_signing_key()))
    else:
        signing_key, encryption_key = _load_key(keys["signing"]), _load_key(keys["encryption"])
    previous = announcement = None
    if (before := document.get("previous")) is not None:
        until = datetime.datetime.fromisoformat(before["until"])
        if (now or timezone.now()) < until:
            previous = PreviousKeys(
                signing_key=_load_key(before["signing"]),
                encryption_key=_load_key(before["encryption"]),
                until=until,
            )
            announcement = before["announcement"]
    return NodeIdentity(
        name=document["name"],
        countries=tuple(document["countries"]),
        address=document["address"],
        signing_key=signing_key,
        encryption_key=encryption_key,
        previous=previous,
        announcement=announcement,
    )


DEFAULT_OVERLAP_DAYS = 14
ANNOUNCEMENT_TYPE = "trm-key-rotation+jws"


def _next_file(beside: Path, generation: int) -> Path:
    """node_ed25519.pem's successor: node_ed25519.2.pem, in the same directory."""
    return beside.with_name(f"{beside.stem}.{generation}{beside.suffix}")


def rotate_keys(
    *, overlap_days: int = DEFAULT_OVERLAP_DAYS, now: datetime.datetime | None = None
) -> NodeIdentity:
    """Make this node's new signing and encryption keys, keep the old ones for `overlap_days`,
    and sign the announcement peers will believe. Refused during the overlap of the last
    rotation: peers pin one previous pair, and one signed by a key they do not know yet
    could not be believed."""
    now = now or timezone.now()
    if overlap_days < 1:
        raise DomainError(_("The overlap of a key rotation lasts at least a day."))
    node = this_node(now=now)
    if node.previous is not None:
        raise DomainError(
            _(
                "The keys were rotated already; rotate them again once the overlap ends "
                "(%(until)s). If a key is compromised, have each peer remove this node and "
                "pin it again with the new fingerprint."
            )
            % {"until": f"{node.previous.until:%Y-%m-%d %H:%M} UTC"}
        )
    document = _read_document()
    in_use = {
        _key_path(part[use])
        for part in (document.get("keys"), document.get("previous"))
        if part is not None
        for use in ("signing", "encryption")
    }
    generation = document.get("generation", 1)
    while True:
        generation += 1
        signing_file = _next_file(Path(settings.NODE_KEY_FILE), generation)
        encryption_file = _next_file(_encryption_key_file(), generation)
        if not {signing_file, encryption_file} & in_use:
            break
    for path in (signing_file, encryption_file):
        path.unlink(missing_ok=True)  # left by a rotation interrupted before it was announced
    _write_private(signing_file, _private_pem(Ed25519PrivateKey.generate()))
    _write_private(encryption_file, _private_pem(X25519PrivateKey.generate()))
    new_signing, new_encryption = (
        OKPKey.import_key(signing_file.read_bytes()),
        OKPKey.import_key(encryption_file.read_bytes()),
    )
    until = now + datetime.timedelta(days=overlap_days)
    announcement = sign_announcement(
        node=node.name,
        old_signing=node.signing_key,
        old_encryption=node.encryption_key,
        new_signing=new_signing,
        new_encryption=new_encryption,
        created=now,
        until=until,
    )
    old_files = document.get("keys") or {
        "signing": _stored_path(Path(settings.NODE_KEY_FILE)),
        "encryption": _stored_path(_encryption_key_file()),
    }
    _retire(document.get("previous"), keep=old_files)
    document.update(
        generation=generation,
        keys={"signing": _stored_path(signing_file), "encryption": _stored_path(encryption_file)},
        previous={**old_files, "until": until.isoformat(), "announcement": announcement},
    )
    _write_document(document)
    return this_node(now=now)


def _retire(previous: dict | None, *, keep: dict) -> None:
    """Delete the private keys of a rotation whose overlap is over: nobody believes them any
    more, and an old encryption key left on disk could still open envelopes recorded then.
    The first signing key stays: it signs the audit checkpoints."""
    if previous is None:
        return
    for use in ("signing", "encryption"):
        path = _key_path(previous[use])
        if previous[use] != keep[use] and path != Path(settings.NODE_KEY_FILE):
            path.unlink(missing_ok=True)


def sign_announcement(
    *,
    node: str,
    old_signing: OKPKey,
    old_encryption: OKPKey,
    new_signing: OKPKey,
    new_encryption: OKPKey,
    created: datetime.datetime,
    until: datetime.datetime,
) -> dict:
    """The rotation announcement, a JWS in general JSON serialization with two signatures:
    the old key's (what peers pinned vouches for the new keys) and the new one's (whoever
    announced it holds it)."""
    payload = {
        "type": "key_rotation",
        "node": node,
        "previous": {
            "signing": public_jwk(old_signing, use="sig"),
            "encryption": public_jwk(old_encryption, use="enc"),
        },
        "keys": {
            "signing": public_jwk(new_signing, use="sig"),
            "encryption": public_jwk(new_encryption, use="enc"),
        },
        "created": created.astimezone(datetime.UTC).isoformat(),
        "until": until.astimezone(datetime.UTC).isoformat(),
    }
    members = [
        {"protected": {"alg": SIGNING, "kid": key.thumbprint(), "typ": ANNOUNCEMENT_TYPE}}
        for key in (old_signing, new_signing)
    ]
    return dict(
        jws.serialize_json(
            members, canonical(payload), KeySet([old_signing, new_signing]), algorithms=[SIGNING]
        )
    )


def read_announcement(announcement: dict, *, pinned_key: OKPKey) -> dict:
    """The announcement's content if the pinned key signed it and so did the new signing key
    it names; ValueError otherwise. Its node, times and replays are the caller's to judge."""
    try:
        signatures = announcement["signatures"]
        if not isinstance(signatures, list) or len(signatures) != 2:
            raise ValueError("an announcement has two signatures")
        encoded = str(announcement["payload"])
        payload = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
        new_key = OKPKey.import_key(payload["keys"]["signing"])
        encryption = OKPKey.import_key(payload["keys"]["encryption"])
        for member, key in zip(signatures, (pinned_key, new_key), strict=True):
            flattened = {"payload": announcement["payload"], **member}
            verified = jws.deserialize_json(flattened, key, algorithms=[SIGNING])
            if verified.headers().get("kid") != key.thumbprint():
                raise ValueError("a signature names another key")
            if verified.headers().get("typ") != ANNOUNCEMENT_TYPE:
                raise ValueError("not a key rotation announcement")
        if payload["previous"]["signing"]["kid"] != pinned_key.thumbprint():
            raise ValueError("the rotation names another previous key")
    except (JoseError, ValueError, KeyError, TypeError, AttributeError) as problem:
        raise ValueError(
            f"not a rotation signed by the pinned key and the new one ({problem})"
        ) from None
    if (
        payload.get("type") != "key_rotation"
        or new_key.as_dict(private=False).get("crv") != "Ed25519"
        or encryption.as_dict().get("crv") != "X25519"
    ):
        raise ValueError("a rotation names an Ed25519 key to sign and an X25519 key to encrypt")
    return payload


DOCUMENT_TYPE = "trm-node+jws"


def public_document(node: NodeIdentity) -> dict:
    """What a node tells the world about itself: nothing secret, all of it signed."""
    document = {
        "name": node.name,
        "countries": list(node.countries),
        "address": node.address,
        "keys": node.public_keys(),
    }
    if node.previous is not None:
        # Until the overlap ends: peers that pinned the old key learn the new one here.
        document["previous"] = node.previous.public_keys()
        document["rotation"] = node.announcement
    return document


def signed_document(node: NodeIdentity) -> str:
    """The public document as a compact JWS by the node's signing key: its encryption key is
    then bound to the key a peer pins."""
    return jws.serialize_compact(
        {"alg": SIGNING, "kid": node.fingerprint, "typ": DOCUMENT_TYPE},
        canonical(public_document(node)),
        node.signing_key,
        algorithms=[SIGNING],
    )


def read_signed_document(compact: str) -> tuple[dict, OKPKey]:
    """The document and its signing key, if it is signed by the key it names; ValueError if
    not (a peer's answer is never trusted before its fingerprint is compared too)."""
    try:
        unverified = json.loads(jws.extract_compact(compact.encode()).payload)
        key = OKPKey.import_key(unverified["keys"]["signing"])
        encryption = OKPKey.import_key(unverified["keys"]["encryption"])
        verified = jws.deserialize_compact(compact, key, algorithms=[SIGNING])
    except (JoseError, ValueError, KeyError, TypeError) as problem:
        raise ValueError(f"not a node document signed by its own key ({problem})") from None
    if (
        key.as_dict(private=False).get("crv") != "Ed25519"
        or encryption.as_dict().get("crv") != "X25519"
    ):
        raise ValueError("a node's keys are Ed25519 to sign and X25519 to encrypt")
    return json.loads(verified.payload), key
