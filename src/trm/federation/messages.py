"""The payload of each type of message between nodes, as a model: the published contract that
other implementations can speak (`schemas/<type>.schema.json`, generated from these models by
`trm federation schemas`, with an example of each in `schemas/examples/`).

The shapes are those the referral actions write on one node (referrals.actions, notices,
withdrawal, payload); the lengths are trm.lib.limits', so that a text a form refuses is refused
from a peer too. Validation is strict and in JSON terms: a number is not a string, a boolean is
not a number, a time has its zone, and an unknown field is refused, not dropped.

A refusal names where the payload is wrong and how (`summary.sex: literal_error`), never what it
holds there: a payload may carry personal data, and the refusal is logged and sent back.

`receipt` is a type of the envelope's vocabulary but not a message: a receipt is the signed
answer to a delivery (receipts.py), never delivered to an inbox itself; an envelope of that type
is refused (`not_a_message`). Its document has a published schema all the same.
"""

import datetime
import functools
import json
import uuid
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    StringConstraints,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)
from pydantic.json_schema import GenerateJsonSchema

from trm.access.categories import DataCategory
from trm.cases.models import Case, Sex
from trm.cases.record_kinds import DIMENSIONS, RECORD_KINDS, RiskLevel, Side
from trm.cases.stages import ClosureReason, Stage
from trm.cases.workflow import EVENTS
from trm.directory.models import ServiceKind
from trm.lib import limits

from . import envelope
from .envelope import EnvelopeRefused

# How much an open part of a payload (a person's fields, a record's) may hold, as characters of
# its canonical JSON: a record's narrative fields are NOTE long each, a person has a few dozen
# fields at most. The envelope's own cap (10 MiB) bounds the whole.
OPEN_PART_CHARACTERS = 512 * 1024
KEY_LENGTH = 64
RECORDS = 1000  # records in one package
CHOICES = 50  # categories or services listed
REFERENCE = Case._meta.get_field("reference").max_length
# A part's size bound: the largest document a node may keep is its own setting; the schema's
# bound is generous (100 MB), the receiving node refuses what is over its own limit.
PART_BYTES = 100_000_000


def _text(limit: int, *, required: bool = False):
    return Annotated[str, StringConstraints(max_length=limit, min_length=1 if required else 0)]


def _choice(values) -> object:
    return Literal[tuple(sorted(str(value) for value in values))]


Key = Annotated[str, StringConstraints(min_length=1, max_length=KEY_LENGTH)]
Category = _choice(DataCategory.values)
Service = _choice(ServiceKind.values)
Month = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
AgeBand = Literal["0-11", "12-14", "15-17", "18-24", "25-34", "35-44", "45-59", "60+"]


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _open_part(value: dict) -> dict:
    size = len(json.dumps(value, ensure_ascii=False, separators=(",", ":")))
    if size > OPEN_PART_CHARACTERS:
        raise ValueError(f"more than {OPEN_PART_CHARACTERS} characters of JSON")
    return value


OpenPart = Annotated[
    dict[Key, JsonValue],
    Field(
        description=(
            "Values by field name (the names come from the record kinds); at most "
            f"{OPEN_PART_CHARACTERS} characters as JSON."
        )
    ),
]


class Summary(Payload):
    """The preview the receiving side sees before it accepts: nothing that names the person
    (referrals.payload.Preview)."""

    child: bool
    age_band: AgeBand | None
    sex: _choice(Sex.values) | None
    citizenship: Country | None
    services: list[Service] = Field(max_length=CHOICES)
    planned_return_month: Month | None
    risk_level: _choice(RiskLevel.values) | None
    risk_to_life: bool
    escort_needed: bool


class Record(Payload):
    """A stage record as the receiving organisation may see it, field by field."""

    id: uuid.UUID
    kind: _choice(RECORD_KINDS)
    stage: _choice(Stage.values)
    recorded_at: AwareDatetime
    fields: OpenPart

    _fields_capped = field_validator("fields")(_open_part)


NarrativeKey = Annotated[str, StringConstraints(pattern=r"^[0-9a-f-]{36}:[a-z_]{1,40}$")]


class Offer(Payload):
    """A referral offered: the minimal preview, before acceptance (no name, no birth date)."""

    referral: uuid.UUID
    reference: _text(REFERENCE, required=True)
    categories: list[Category] = Field(max_length=CHOICES)
    summary: Summary
    response_due_at: AwareDatetime
    sent_at: AwareDatetime
    # What the sender asks for and says before acceptance, if it says it then.
    services: list[Service] = Field(default=(), max_length=CHOICES)
    message: _text(limits.MESSAGE) = ""
    # The narrative fields the sender read and included ("record id:field"), named only: the
    # package carries their text on acceptance, and the receiver's grant shows them.
    texts: list[NarrativeKey] = Field(default=(), max_length=200)


class Accept(Payload):
    met_by: _text(limits.LINE, required=True)
    place: _text(limits.LINE, required=True)
    meeting_at: AwareDatetime
    capacity_confirmed: bool
    message: _text(limits.MESSAGE) = ""


class Decline(Payload):
    reason: _text(limits.REASON, required=True)


class Ask(Payload):
    question: _text(limits.MESSAGE, required=True)


class Answer(Payload):
    text: _text(limits.MESSAGE, required=True)
    in_reply_to: uuid.UUID


class Risk(Payload):
    risk_to_life: bool
    risk_level: _choice(RiskLevel.values) | None
    risk_of_re_trafficking: _choice(RiskLevel.values) | None
    danger_of_violence: bool
    escort_needed: bool


class PackagedCase(Payload):
    reference: _text(REFERENCE, required=True)
    child: bool
    age_uncertain: bool


class Package(Payload):
    """The shared part of the case, sent on acceptance (referrals.payload.build_payload)."""

    referral: uuid.UUID
    categories: list[Category] = Field(max_length=CHOICES)
    case: PackagedCase
    summary: Summary
    person: OpenPart
    risk: Risk
    records: list[Record] = Field(max_length=RECORDS)
    message: _text(limits.MESSAGE)

    _person_capped = field_validator("person")(_open_part)


class UpdatedRecord(Record):
    """A record written on a case referred across nodes, as the other side may see it; a
    correction names the record it supersedes."""

    side: _choice(Side.values)
    supersedes: uuid.UUID | None


class Step(Payload):
    """A step of the case's journey taken on the node that took it, for the other copy."""

    event: _choice(EVENTS)
    stage: _choice(Stage.values)
    returned_at: AwareDatetime | None
    received_at: AwareDatetime | None
    closed_at: AwareDatetime | None
    closure_reason: _choice(ClosureReason.values) | Literal[""]


class Update(Payload):
    """What changed on the case after acceptance: a record written (or a correction), or a
    step of its journey taken."""

    model_config = ConfigDict(
        json_schema_extra={"anyOf": [{"required": ["record"]}, {"required": ["step"]}]}
    )

    record: UpdatedRecord = None
    step: Step = None

    @model_validator(mode="after")
    def _says_what(self):
        if self.record is None and self.step is None:
            raise ValueError("an update has a record or a step")
        return self


class Invalidate(Payload):
    record: uuid.UUID
    reason: _text(limits.REASON, required=True)


class Withdraw(Payload):
    """The sender withdraws the referral: in words (`reason`), or because the case moved on."""

    model_config = ConfigDict(
        json_schema_extra={"anyOf": [{"required": ["reason"]}, {"required": ["because"]}]}
    )

    reason: _text(limits.REASON, required=True) = None
    because: Literal["case_closed", "referral_withdrawn"] = None

    @model_validator(mode="after")
    def _says_why(self):
        if self.reason is None and self.because is None:
            raise ValueError("a withdrawal has a reason or a because")
        return self


class ConsentWithdrawn(Payload):
    because: Literal["consent_withdrawn"]
    note: _text(limits.REASON) = ""


class Erased(Payload):
    """The owner erased the person (the receiving node destroys its copy), or the node that
    held a copy destroyed it: `confirms` then names the message it answers."""

    erased_at: AwareDatetime
    confirms: Annotated[str, StringConstraints(min_length=1, max_length=64)] = None


class Departure(Payload):
    departed_at: AwareDatetime | None
    recorded_at: AwareDatetime | None


class Reception(Payload):
    """Who met the person, where and when; what the receiving side did not record is absent
    or null."""

    received_at: AwareDatetime | None
    met_by: _text(limits.SHORT_TEXT) | None = None
    place: _text(limits.SHORT_TEXT) | None = None
    caregiver: _text(limits.SHORT_TEXT) | None = None


Share = Annotated[float, Field(ge=0, le=1)]
Scores = create_model(
    "Scores",
    __base__=Payload,
    __doc__="Sustainability scores from 0 to 1, per dimension and overall.",
    **{dimension: (Share | None, None) for dimension in DIMENSIONS},
    overall=(Share | None, None),
    sustainable=(bool | None, None),
)


class MonitoringSummary(Payload):
    """A monitoring contact's date and scores; the person's situation stays with the receiver."""

    record: uuid.UUID
    contacted_on: datetime.date | None
    days_after_return: int | None
    scores: Scores


class Closure(Payload):
    closure_reason: _choice(ClosureReason.values) | Literal[""]
    closed_at: AwareDatetime


Base64url = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]+$", max_length=64)]


class Part(Payload):
    """The reference to the encrypted part posted with the envelope (federation.parts): its
    ciphertext's SHA-256 and size, and the key and nonce that open it."""

    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    size: int = Field(ge=1, le=PART_BYTES)
    cipher: Literal["A256GCM"]
    key: Base64url
    nonce: Base64url


class SharedDocument(Payload):
    """A document of the case as the other organisation sees it: what the list of the case's
    documents shows of it. `category`: the data category its uploader classed it in."""

    id: uuid.UUID
    name: _text(200, required=True)
    media_type: Literal["application/pdf", "image/jpeg", "image/png"]
    size: int = Field(ge=1, le=PART_BYTES)
    category: Category
    uploaded_at: AwareDatetime


class Document(Payload):
    """A document of a case referred across nodes, once the other organisation may see it (on
    acceptance, or when it is added after): its bytes travel as the part."""

    document: SharedDocument
    part: Part


class Read(Payload):
    """A person of the organisation a message was to opened it, on the node it came to, for
    the first time: which message, and when. Nobody is named."""

    message: uuid.UUID
    read_at: AwareDatetime


class AuditHead(Payload):
    sequence: int
    hash: _text(128, required=True)
    signature: _text(1024, required=True)


class Settled(Payload):
    """A held message the receipted one was the gap before, and what applying it did."""

    message: _text(64, required=True)
    outcome: Literal["applied", "refused"]
    refusal: Annotated[str, StringConstraints(max_length=40)]


class Receipt(Payload):
    """The document a receipt signs (receipts.sign_receipt): not a message, an answer."""

    node: _text(64, required=True)
    envelope: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    message: _text(64, required=True)
    received: AwareDatetime
    # What applying the message did there: applied, refused (with a code), or held until the
    # messages before it in its conversation arrive.
    outcome: Literal["applied", "held", "refused"]
    refusal: Annotated[str, StringConstraints(max_length=40)]
    audit_head: AuditHead | None
    # For a message not applied yet (held, or refused and waiting for its place): the sequence
    # its conversation waits for; the sender sends that message again if it has it.
    waiting_for: Annotated[int, Field(ge=1)] = None
    # For a content refused: where and how (a path and an error type), never a value.
    problem: _text(500) = None
    # The held messages applied (or refused) after this one, in their order.
    settled: list[Settled] = Field(default=None, max_length=200)


PAYLOADS: dict[str, type[Payload]] = {
    "offer": Offer,
    "accept": Accept,
    "decline": Decline,
    "ask": Ask,
    "answer": Answer,
    "package": Package,
    "update": Update,
    "invalidate": Invalidate,
    "withdraw": Withdraw,
    "departure": Departure,
    "reception": Reception,
    "monitoring_summary": MonitoringSummary,
    "closure": Closure,
    "consent_withdrawn": ConsentWithdrawn,
    "erased": Erased,
    "document": Document,
    "read": Read,
}
NOT_MESSAGES = {"receipt": Receipt}


def validate_payload(type: str, payload: dict) -> dict:  # noqa: A002 (the message's field)
    """`payload` as sent, once it conforms to its type's schema; EnvelopeRefused
    ("schema_violation", where and how it does not) otherwise."""
    if type in NOT_MESSAGES:
        raise EnvelopeRefused("not_a_message", type)
    model = PAYLOADS.get(type)
    if model is None:
        raise EnvelopeRefused("unknown_type", type[:40])
    try:
        model.model_validate_json(json.dumps(payload), strict=True)
    except ValidationError as invalid:
        raise EnvelopeRefused("schema_violation", where_and_how(invalid)) from None
    return payload


@functools.cache
def _names() -> frozenset[str]:
    """Every field name of the payloads: what a refusal's path may show as it is."""
    names = set()
    for model in [*PAYLOADS.values(), *NOT_MESSAGES.values()]:
        todo = [model]
        while todo:
            found = todo.pop()
            for name, spec in found.model_fields.items():
                names.add(name)
                for inner in _models_in(spec.annotation):
                    todo.append(inner)
    return frozenset(names)


def _models_in(annotation) -> list:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in getattr(annotation, "__args__", ()) for m in _models_in(arg)]


MAX_PROBLEMS = 5


def where_and_how(invalid: ValidationError) -> str:
    """`path: error type` of the first problems, the path's parts shown only where they are
    field names or positions: an open part's keys are the sender's data, shown as `*`."""
    names = _names()
    problems = []
    for error in invalid.errors(include_url=False, include_input=False, include_context=False):
        parts = [
            str(part) if isinstance(part, int) or part in names or part == "[key]" else "*"
            for part in error["loc"]
        ]
        problems.append(f"{'.'.join(parts) or '(payload)'}: {error['type']}")
    more = len(problems) - MAX_PROBLEMS
    shown = "; ".join(problems[:MAX_PROBLEMS])
    return f"{shown}; and {more} more" if more > 0 else shown


# --- the published JSON Schemas ------------------------------------------------------------

SCHEMA_BASE = "https://trm.invalid/federation/schemas/v{version}/"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


class _Generator(GenerateJsonSchema):
    def generate(self, schema, mode="validation"):
        found = super().generate(schema, mode=mode)
        return {"$schema": DIALECT, **found}


def schema_id(name: str) -> str:
    return SCHEMA_BASE.format(version=envelope.SCHEMA_VERSION) + f"{name}.schema.json"


def payload_schema(type: str) -> dict:  # noqa: A002
    model = PAYLOADS.get(type) or NOT_MESSAGES[type]
    found = model.model_json_schema(schema_generator=_Generator)
    return {"$schema": found.pop("$schema"), "$id": schema_id(type), **found}


def message_schema() -> dict:
    """The signed message (envelope.Message.as_json), its payload the schema of its type."""
    text = {"type": "string", "maxLength": envelope.LONGEST_NAME}
    party = {
        "type": "object",
        "properties": {"node": text, "organisation": text},
        "required": ["node", "organisation"],
        "additionalProperties": False,
    }
    properties = {
        "id": {**text, "description": "The message's id, unique per sender node."},
        "type": {"enum": list(PAYLOADS)},
        "sender": party,
        "recipient": party,
        "conversation": text,
        "sequence": {"type": "integer", "minimum": 1, "maximum": envelope.LAST_SEQUENCE},
        "previous": {
            "type": "string",
            "pattern": "^([0-9a-f]{64})?$",
            "description": "SHA-256 of the previous message's canonical JSON; empty for the first.",
        },
        "expects": {**text, "description": "The state the sender takes the conversation to be in."},
        "created": {"type": "string", "format": "date-time"},
        "expires": {"type": "string", "format": "date-time"},
        "schema": {"const": envelope.SCHEMA_VERSION},
        "consent": {**text, "description": "The consent record the message relies on, or empty."},
        "payload": {"type": "object"},
    }
    assert set(properties) == set(envelope.FIELDS), "the envelope's fields changed"  # noqa: S101
    return {
        "$schema": DIALECT,
        "$id": schema_id("message"),
        "title": "Message",
        "description": (
            "A message between trm nodes, as canonical JSON (sorted keys, no spaces, UTF-8), "
            "signed (JWS, Ed25519) and then encrypted to the recipient node (JWE, "
            "ECDH-ES+A256KW with A256GCM)."
        ),
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
        "allOf": [
            {
                "if": {"properties": {"type": {"const": name}}},
                "then": {"properties": {"payload": {"$ref": f"{name}.schema.json"}}},
            }
            for name in PAYLOADS
        ],
    }


def schemas() -> dict[str, dict]:
    """Every published schema by file name."""
    found = {"message.schema.json": message_schema()}
    for name in [*PAYLOADS, *NOT_MESSAGES]:
        found[f"{name}.schema.json"] = payload_schema(name)
    return found


def schema_text(schema: dict) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


SCHEMA_DIR = Path(__file__).parent / "schemas"


def differing_schemas() -> list[str]:
    """The schema files whose committed text is not what the models make (or that are missing,
    or that no model makes any more)."""
    made = {name: schema_text(schema) for name, schema in schemas().items()}
    kept = {path.name for path in SCHEMA_DIR.glob("*.schema.json")}
    return sorted(
        name
        for name in made.keys() | kept
        if name not in kept
        or name not in made
        or (SCHEMA_DIR / name).read_text(encoding="utf-8") != made[name]
    )


def write_schemas() -> list[str]:
    """Write the schema files from the models; the names of those that changed."""
    changed = differing_schemas()
    made = schemas()
    for name in changed:
        path = SCHEMA_DIR / name
        if name in made:
            path.write_text(schema_text(made[name]), encoding="utf-8")
        else:
            path.unlink()
    return changed
