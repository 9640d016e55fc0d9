"""This node's identity among its peers: its name, the countries it serves, its public address,
and two keys: Ed25519 to sign what it sends (the node key, which also signs the audit
checkpoints) and X25519 for peers to encrypt to it.

The keys live in TRM_HOME/keys (or where TRM_NODE_KEY_FILE and TRM_NODE_ENCRYPTION_KEY_FILE
say), readable by the node's user only, like the key-encryption keys; the rest is public and
kept in TRM_HOME/node.json, written by `trm node init`.
"""

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

from trm.crypto.node_key import node_signing_key
from trm.directory.hosting import identity_file

from .envelope import SIGNING, canonical


class NodeIdentityError(ImproperlyConfigured):
    """The node has no identity yet, or its files are unreadable."""


@dataclass(frozen=True)
class NodeIdentity:
    name: str
    countries: tuple[str, ...]
    address: str
    signing_key: OKPKey
    encryption_key: OKPKey

    def public_keys(self) -> dict:
        """The two public keys as JWKs, each with its use and its thumbprint as `kid`."""
        return {
            "signing": public_jwk(self.signing_key, use="sig"),
            "encryption": public_jwk(self.encryption_key, use="enc"),
        }

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


def init_node(*, name: str, countries: list[str], address: str) -> NodeIdentity:
    """Give this node its identity; its keys are made once and kept (a second init only
    changes the name, countries and address)."""
    key_file = _encryption_key_file()
    if not key_file.exists():
        pem = X25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _write_private(key_file, pem)
    document = {"name": name, "countries": sorted(set(countries)), "address": address}
    path = identity_file()
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(document, indent=2) + "\n")
    temporary.replace(path)
    return this_node()


def this_node() -> NodeIdentity:
    """This node's identity; NodeIdentityError if `trm node init` was never run."""
    try:
        document = json.loads(identity_file().read_text())
        encryption_pem = _encryption_key_file().read_bytes()
    except FileNotFoundError:
        raise NodeIdentityError("this node has no identity yet: run `trm node init`") from None
    pem = node_signing_key().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return NodeIdentity(
        name=document["name"],
        countries=tuple(document["countries"]),
        address=document["address"],
        signing_key=OKPKey.import_key(pem),
        encryption_key=OKPKey.import_key(encryption_pem),
    )


DOCUMENT_TYPE = "trm-node+jws"


def public_document(node: NodeIdentity) -> dict:
    """What a node tells the world about itself: nothing secret, all of it signed."""
    return {
        "name": node.name,
        "countries": list(node.countries),
        "address": node.address,
        "keys": node.public_keys(),
    }


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
