"""The shared directory: each node publishes the organisations it hosts, their services and
their contacts as a document signed by its node key, and keeps a copy of every peer's.

`GET /federation/directory` answers the document (a compact JWS, `typ` trm-directory+jws) to
a pinned peer only: the request carries a short token signed by the asking node's key, so a
removed peer cannot read the directory any more than it can deliver envelopes. What is
published is what the directory pages show every signed-in user of this node: the
organisation's institutional contacts (e-mail, telephone, website, address), never a case,
a user or a membership.

`fetch_directory(peer)` fetches a peer's document, believes it only if the peer's pinned key
signed it, it names that peer and it is no older than the copy held, and then, in one step,
makes the organisations hosted on the peer's node exactly those it lists: new ones added,
listed ones updated, the others made inactive (never deleted: referrals point at them). A
peer speaks only for the countries it was pinned for, never for one this node serves, and
never for an organisation whose short name is taken here.
"""

import datetime
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

from trm.audit.log import record
from trm.directory.models import Country, Node, Organisation, Service
from trm.lib.errors import DomainError
from trm.lib.steps import step

from .envelope import SIGNING, _instant, canonical
from .identity import NodeIdentity, this_node
from .models import Peer
from .peers import pinned

log = logging.getLogger(__name__)

DIRECTORY_PATH = "/federation/directory"
DIRECTORY_TYPE = "trm-directory+jws"
REQUEST_TYPE = "trm-request+jws"
AUTHORIZATION_SCHEME = "TRM-Node"
SCHEMA_VERSION = 1
# The eight seed countries publish under 200 KiB; this is room for any national directory.
MAX_DIRECTORY_BYTES = 5 * 1024 * 1024
MAX_ORGANISATIONS = 5000
TIMEOUT_SECONDS = 20

REFUSALS = {
    "removed": _("This peer was removed: nothing is exchanged with it any more."),
    "unreachable": _("The peer's directory could not be fetched: the peer did not answer."),
    "refused": _("The peer did not give its directory: it has not pinned this node (or not yet)."),
    "malformed": _("The peer's answer is not a directory document in the expected form."),
    "bad_signature": _("The directory document is not signed by the peer's pinned key."),
    "other_node": _("The directory document is another node's."),
    "older": _("The directory document is older than the copy this node holds."),
    "from_the_future": _("The directory document's time is ahead of this node's clock."),
    "own_country": _(
        "The peer's directory lists an organisation of a country this node serves: those are "
        "this node's own."
    ),
    "not_its_country": _(
        "The peer's directory lists an organisation of a country it was not pinned for."
    ),
    "slug_taken": _(
        "The peer's directory lists an organisation whose short name another organisation "
        "has on this node."
    ),
    "invalid": _("The peer's directory lists an organisation this directory cannot hold."),
}


class DirectoryRefused(DomainError):
    """A peer's directory that is not copied: nothing was changed. `code` is one of REFUSALS;
    `detail` (a short name, a field) is for the operator's log and names no person."""

    def __init__(self, code: str, detail: str = ""):
        self.code, self.detail = code, detail
        super().__init__(REFUSALS[code])

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}" if self.detail else self.code


# ---------------------------------------------------------------------------------------------
# Publishing
# ---------------------------------------------------------------------------------------------


def published_organisations(node: NodeIdentity) -> list[dict]:
    """The active organisations this node hosts in the countries it serves, as published."""
    hosted = (
        Organisation.objects.filter(Q(hosted_on__isnull=True) | Q(hosted_on__is_this_node=True))
        .filter(is_active=True, country__code__in=node.countries)
        .select_related("country")
        .prefetch_related("services")
        .order_by("slug")
    )
    return [
        {
            "slug": organisation.slug,
            "name": organisation.name,
            "country": organisation.country.code,
            "kind": organisation.kind,
            "description": dict(organisation.description),
            "area_served": organisation.area_served,
            "languages": organisation.language_codes,
            "serves_adults": organisation.serves_adults,
            "serves_children": organisation.serves_children,
            "is_focal_point": organisation.is_focal_point,
            "email": organisation.email,
            "phone": organisation.phone,
            "website": organisation.website,
            "address": organisation.address,
            "capacity_note": organisation.capacity_note,
            "services": [
                {"kind": service.kind, "note": service.note}
                for service in organisation.services.all()
            ],
        }
        for organisation in hosted
    ]


def signed_directory(node: NodeIdentity, *, now: datetime.datetime | None = None) -> str:
    """This node's directory document, signed by its node key."""
    document = {
        "type": "trm-directory",
        "schema": SCHEMA_VERSION,
        "node": node.name,
        "countries": list(node.countries),
        "issued": _instant(now or timezone.now()),
        "organisations": published_organisations(node),
    }
    return jws.serialize_compact(
        {"alg": SIGNING, "kid": node.fingerprint, "typ": DIRECTORY_TYPE},
        canonical(document),
        node.signing_key,
        algorithms=[SIGNING],
    )


def signed_request(node: NodeIdentity, *, to: str, path: str) -> str:
    """The token a node sends to ask a peer for `path`: who asks, of whom, what, and when."""
    claims = {"node": node.name, "to": to, "path": path, "created": _instant(timezone.now())}
    return jws.serialize_compact(
        {"alg": SIGNING, "kid": node.fingerprint, "typ": REQUEST_TYPE},
        canonical(claims),
        node.signing_key,
        algorithms=[SIGNING],
    )


def requesting_peer(authorization: str, *, node: NodeIdentity, path: str) -> str | None:
    """The active peer that signed this request for `path` of this node, within the clock
    window; None if the token is missing, not a pinned peer's, or for another request."""
    scheme, _space, token = authorization.partition(" ")
    if scheme != AUTHORIZATION_SCHEME or token.count(".") != 2:
        return None
    try:
        header = jws.extract_compact(token.encode()).protected
        found = pinned(str(header.get("kid", "")))
        if found is None or header.get("typ") != REQUEST_TYPE:
            return None
        name, key = found
        claims = json.loads(jws.deserialize_compact(token, key, algorithms=[SIGNING]).payload)
        created = datetime.datetime.fromisoformat(claims["created"])
    except (JoseError, ValueError, KeyError, TypeError):
        return None
    skew = datetime.timedelta(seconds=settings.FEDERATION_CLOCK_SKEW_SECONDS)
    if (
        claims.get("node") != name
        or claims.get("to") != node.name
        or claims.get("path") != path
        or created.tzinfo is None
        or abs(timezone.now() - created) > skew
    ):
        return None
    return name


# ---------------------------------------------------------------------------------------------
# Reading a peer's document
# ---------------------------------------------------------------------------------------------

TEXT_FIELDS = ("name", "kind", "area_served", "email", "phone", "website", "address")
OPTIONAL_TEXT_FIELDS = ("capacity_note",)
FLAGS = ("serves_adults", "serves_children", "is_focal_point")


def read_directory(compact: str, peer: Peer) -> dict:
    """The directory document signed by `peer`'s pinned key and naming it; DirectoryRefused,
    with nothing read, otherwise. Its organisations' shapes are checked, their values are the
    model's to validate."""
    if compact.count(".") != 2:
        raise DirectoryRefused("malformed", "not a compact JWS")
    try:
        header = jws.extract_compact(compact.encode()).protected
    except (JoseError, ValueError):
        raise DirectoryRefused("malformed", "unreadable header") from None
    if header.get("typ") != DIRECTORY_TYPE or header.get("alg") != SIGNING:
        raise DirectoryRefused("malformed", f"typ {header.get('typ')}, alg {header.get('alg')}")
    if header.get("kid") != peer.fingerprint:
        raise DirectoryRefused("bad_signature", "signed by another key")
    try:
        verified = jws.deserialize_compact(
            compact, OKPKey.import_key(peer.signing_key), algorithms=[SIGNING]
        )
    except (JoseError, ValueError):
        raise DirectoryRefused("bad_signature") from None
    try:
        document = json.loads(verified.payload)
    except ValueError:
        raise DirectoryRefused("malformed", "not JSON") from None
    if not isinstance(document, dict) or document.get("type") != "trm-directory":
        raise DirectoryRefused("malformed", "not a directory document")
    if document.get("schema") != SCHEMA_VERSION:
        raise DirectoryRefused("malformed", f"schema {document.get('schema')}")
    if document.get("node") != peer.name:
        raise DirectoryRefused("other_node", str(document.get("node"))[:100])
    try:
        issued = datetime.datetime.fromisoformat(document["issued"])
    except (KeyError, TypeError, ValueError):
        raise DirectoryRefused("malformed", "issued is not an ISO 8601 time") from None
    if issued.tzinfo is None:
        raise DirectoryRefused("malformed", "issued has no time zone")
    skew = datetime.timedelta(seconds=settings.FEDERATION_CLOCK_SKEW_SECONDS)
    if issued > timezone.now() + skew:
        raise DirectoryRefused("from_the_future")
    organisations = document.get("organisations")
    if not isinstance(organisations, list) or len(organisations) > MAX_ORGANISATIONS:
        raise DirectoryRefused("malformed", "organisations is not a list of a sensible size")
    for entry in organisations:
        _check_shape(entry)
    slugs = [entry["slug"] for entry in organisations]
    if len(set(slugs)) != len(slugs):
        raise DirectoryRefused("malformed", "a short name is listed twice")
    return {**document, "issued": issued}


def _check_shape(entry) -> None:
    def wrong(what: str):
        slug = entry.get("slug") if isinstance(entry, dict) else None
        return DirectoryRefused("malformed", f"{str(slug)[:80]}: {what}")

    if not isinstance(entry, dict):
        raise wrong("an organisation is not an object")
    for name in ("slug", "country", *TEXT_FIELDS):
        if not isinstance(entry.get(name), str):
            raise wrong(f"{name} is not text")
    for name in OPTIONAL_TEXT_FIELDS:
        if not isinstance(entry.get(name, ""), str):
            raise wrong(f"{name} is not text")
    for name in FLAGS:
        if not isinstance(entry.get(name), bool):
            raise wrong(f"{name} is not true or false")
    description = entry.get("description", {})
    if not isinstance(description, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in description.items()
    ):
        raise wrong("description is not texts by language")
    languages = entry.get("languages", [])
    if not isinstance(languages, list) or not all(isinstance(code, str) for code in languages):
        raise wrong("languages is not a list of codes")
    services = entry.get("services", [])
    if not isinstance(services, list) or not all(
        isinstance(service, dict)
        and isinstance(service.get("kind"), str)
        and isinstance(service.get("note", ""), str)
        for service in services
    ):
        raise wrong("services is not a list of kinds and notes")


# ---------------------------------------------------------------------------------------------
# Copying it
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Copied:
    peer: str
    listed: int  # organisations of the peer active here now
    made_inactive: int  # those it no longer lists
    skipped_countries: tuple[str, ...]  # countries this node does not know: not shown


def fetch_directory(peer: Peer) -> Copied:
    """Fetch `peer`'s signed directory and copy it; DirectoryRefused, changing nothing, if it
    cannot be fetched or believed."""
    if peer.removed_at is not None:
        raise DirectoryRefused("removed")
    node = this_node()
    request = urllib.request.Request(  # noqa: S310 (a pinned peer's address)
        peer.address.rstrip("/") + DIRECTORY_PATH,
        headers={
            "Accept": "application/jose",
            "Authorization": f"{AUTHORIZATION_SCHEME} "
            + signed_request(node, to=peer.name, path=DIRECTORY_PATH),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310
            data = answer.read(MAX_DIRECTORY_BYTES + 1)
    except urllib.error.HTTPError as refused:
        raise DirectoryRefused("refused", f"HTTP {refused.code}") from None
    except OSError as problem:
        raise DirectoryRefused("unreachable", type(problem).__name__) from None
    if len(data) > MAX_DIRECTORY_BYTES:
        raise DirectoryRefused("malformed", "larger than 5 MiB")
    document = read_directory(data.decode("ascii", errors="replace"), peer)
    return copy_directory(peer.pk, document, served=node.countries)


@step
def copy_directory(peer_id: int, document: dict, *, served: tuple[str, ...]) -> Copied:
    """Make the organisations hosted on the peer's node those `document` (read by
    `read_directory`) lists, all in one step; `served` are this node's countries."""
    peer = Peer.objects.select_related("node").filter(pk=peer_id).first()
    if peer is None or peer.removed_at is not None:
        raise DirectoryRefused("removed")
    node = Node.objects.select_for_update().get(pk=peer.node_id)
    if node.directory_issued_at and document["issued"] < node.directory_issued_at:
        raise DirectoryRefused("older", document["issued"].isoformat())
    entries = document["organisations"]
    for entry in entries:
        if entry["country"] in served:
            raise DirectoryRefused("own_country", entry["slug"][:80])
        if entry["country"] not in peer.countries:
            raise DirectoryRefused("not_its_country", entry["slug"][:80])
    taken = (
        Organisation.objects.filter(slug__in=[entry["slug"] for entry in entries])
        .exclude(hosted_on=node)
        .values_list("slug", flat=True)
        .first()
    )
    if taken is not None:
        raise DirectoryRefused("slug_taken", taken)
    # A country this node has not configured cannot show its organisations (its NRM page and
    # deadlines come from the country's row): they wait until it is added.
    countries = Country.objects.in_bulk([entry["country"] for entry in entries], field_name="code")
    known = [entry for entry in entries if entry["country"] in countries]
    held = {organisation.slug: organisation for organisation in node.organisations.all()}
    for entry in known:
        _copy_organisation(entry, held.get(entry["slug"]), node, countries[entry["country"]])
    made_inactive = (
        node.organisations.filter(is_active=True)
        .exclude(slug__in=[entry["slug"] for entry in known])
        .update(is_active=False)
    )
    node.directory_fetched_at = timezone.now()
    node.directory_issued_at = document["issued"]
    node.save(update_fields=["directory_fetched_at", "directory_issued_at"])
    skipped = tuple(sorted({entry["country"] for entry in entries} - set(countries)))
    record(
        "trm.directory.copied",
        target=node,
        details={
            "peer": peer.name,
            "organisations": len(known),
            "made_inactive": made_inactive,
            "skipped_countries": list(skipped),
        },
    )
    return Copied(peer.name, len(known), made_inactive, skipped)


def _copy_organisation(entry: dict, organisation, node: Node, country: Country) -> None:
    organisation = organisation or Organisation(slug=entry["slug"], hosted_on=node)
    for name in TEXT_FIELDS:
        setattr(organisation, name, entry[name])
    for name in FLAGS:
        setattr(organisation, name, entry[name])
    organisation.capacity_note = entry.get("capacity_note", "")
    organisation.description = entry.get("description", {})
    organisation.languages = ",".join(entry.get("languages", []))
    organisation.country = country
    organisation.is_active = True
    services = {service["kind"]: service.get("note", "") for service in entry.get("services", [])}
    try:
        organisation.full_clean()
        organisation.save()
        organisation.services.exclude(kind__in=services).delete()
        for kind, note in services.items():
            service = Service.objects.filter(organisation=organisation, kind=kind).first()
            service = service or Service(organisation=organisation, kind=kind)
            service.note = note
            service.full_clean()
            service.save()
    except ValidationError as invalid:
        fields = ", ".join(sorted(getattr(invalid, "error_dict", {}))) or "services"
        raise DirectoryRefused("invalid", f"{entry['slug'][:80]}: {fields}") from None


def refresh_due(*, older_than: datetime.timedelta) -> dict:
    """Fetch the directory of every active peer whose copy is older than `older_than` (or
    missing); a peer that fails is tried again at the next run, the others go on."""
    since = timezone.now() - older_than
    copied_before = Q(node__directory_fetched_at__isnull=True) | Q(
        node__directory_fetched_at__lt=since
    )
    due = Peer.objects.active().select_related("node").filter(copied_before)
    done = {"copied": 0, "refused": 0}
    for peer in due:
        try:
            fetch_directory(peer)
        except DirectoryRefused as refused:
            log.warning("directory of %s not copied: %s", peer.name, refused)
            done["refused"] += 1
        else:
            done["copied"] += 1
    return done
