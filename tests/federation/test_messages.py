"""The published message schemas (issue 12, item 3): one model per type's payload, the JSON
Schema files in the repository made from them, an example of each that both accept, and a
refusal that says where and how a payload is wrong without repeating what it holds."""

import copy
import json

import jsonschema_rs
import pytest

from trm.federation import messages
from trm.federation.envelope import REFUSALS, TYPES, EnvelopeRefused
from trm.federation.messages import (
    NOT_MESSAGES,
    PAYLOADS,
    SCHEMA_DIR,
    differing_schemas,
    schema_id,
    validate_payload,
)

EXAMPLES = SCHEMA_DIR / "examples"


def example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def published(name: str) -> dict:
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))


def json_validator(name: str):
    """A validator of the committed file `name`, its references resolved among the committed
    files only (nothing is fetched), formats checked."""
    registry = jsonschema_rs.Registry(
        [(schema_id(path.name.removesuffix(".schema.json")), json.loads(path.read_text()))
         for path in SCHEMA_DIR.glob("*.schema.json")]
    )  # fmt: skip
    return jsonschema_rs.validator_for(
        published(name), registry=registry, validate_formats=True, offline=True
    )


def refusal(type_: str, payload: dict) -> EnvelopeRefused:
    with pytest.raises(EnvelopeRefused) as caught:
        validate_payload(type_, payload)
    return caught.value


def test_every_type_of_message_has_a_model_and_a_receipt_is_not_a_message():
    assert set(PAYLOADS) | set(NOT_MESSAGES) == set(TYPES)
    assert set(NOT_MESSAGES) == {"receipt"}


def test_the_committed_schema_files_are_those_the_models_make():
    assert differing_schemas() == [], "run 'trm federation schemas' and commit the files"


def test_a_schema_file_changed_by_hand_is_found(tmp_path, monkeypatch):
    for path in SCHEMA_DIR.glob("*.schema.json"):
        (tmp_path / path.name).write_text(path.read_text())
    monkeypatch.setattr(messages, "SCHEMA_DIR", tmp_path)
    edited = json.loads((tmp_path / "decline.schema.json").read_text())
    edited["properties"]["reason"]["maxLength"] = 20_000
    (tmp_path / "decline.schema.json").write_text(json.dumps(edited))
    (tmp_path / "transfer.schema.json").write_text("{}")
    (tmp_path / "ask.schema.json").unlink()
    changed = differing_schemas()
    assert changed == ["ask.schema.json", "decline.schema.json", "transfer.schema.json"]
    assert messages.write_schemas() == changed
    assert differing_schemas() == []


@pytest.mark.parametrize("name", [*PAYLOADS, *NOT_MESSAGES])
def test_each_example_conforms_to_its_model_and_to_its_published_schema(name):
    payload = example(name)
    if name in PAYLOADS:
        assert validate_payload(name, payload) == payload
    else:
        NOT_MESSAGES[name].model_validate_json(json.dumps(payload), strict=True)
    assert json_validator(name).is_valid(payload), list(json_validator(name).iter_errors(payload))


def test_the_example_message_conforms_to_the_message_schema_and_its_payload_to_its_type():
    message = example("message")
    validator = json_validator("message")
    assert validator.is_valid(message)
    wrong = copy.deepcopy(message)
    wrong["payload"]["summary"]["sex"] = "F"
    assert not validator.is_valid(wrong), "the payload is checked against its type's schema"
    wrong = {**message, "priority": "high"}
    assert not validator.is_valid(wrong)


def test_the_offer_carries_no_name_and_no_birth_date():
    schema = published("offer")
    names = set(schema["properties"])
    for definition in schema["$defs"].values():
        names |= set(definition["properties"])
    assert not names & {"person", "given_name", "family_name", "birth_date", "records"}
    assert schema["additionalProperties"] is False


# Each: a change to a valid example, and the path and error type the refusal names.
VIOLATIONS = [
    # A field it does not know is the sender's to name, not the refusal's.
    ("offer", lambda p: p.update(given_name="Arta"), "*: extra_forbidden"),
    ("offer", lambda p: p["summary"].update(sex="F"), "summary.sex: literal_error"),
    ("offer", lambda p: p["summary"].update(child="yes"), "summary.child: bool_type"),
    ("offer", lambda p: p.update(sent_at="2026-12-04T09:30:12"), "sent_at: timezone_aware"),
    ("offer", lambda p: p.update(referral="GR-1"), "referral: uuid_parsing"),
    ("offer", lambda p: p.update(categories=["everything"]), "categories.0: literal_error"),
    ("offer", lambda p: p.pop("summary"), "summary: missing"),
    ("accept", lambda p: p.update(met_by="x" * 301), "met_by: string_too_long"),
    ("accept", lambda p: p.update(capacity_confirmed=1), "capacity_confirmed: bool_type"),
    ("decline", lambda p: p.update(reason=""), "reason: string_too_short"),
    ("monitoring_summary", lambda p: p.update(days_after_return=True), "days_after_return: int"),
    ("monitoring_summary", lambda p: p["scores"].update(overall=3), "scores.overall: less_than"),
    ("package", lambda p: p["person"].update({"k" * 65: "x"}), "person.*.[key]: string_too_long"),
    ("package", lambda p: p["records"][0].update(kind="diary"), "records.0.kind: literal_error"),
    ("withdraw", lambda p: p.clear(), "(payload): value_error"),
]


@pytest.mark.parametrize(("name", "change", "named"), VIOLATIONS)
def test_a_payload_off_its_schema_is_refused_saying_where_and_how_and_the_json_schema_agrees(
    name, change, named
):
    payload = example(name)
    change(payload)
    refused = refusal(name, payload)
    assert refused.code == "schema_violation"
    assert named in refused.detail
    assert not json_validator(name).is_valid(payload)


def test_a_refusal_never_repeats_what_the_payload_holds():
    payload = example("package")
    payload["person"]["Elira Hoxha, born 2009"] = "x" * (messages.OPEN_PART_CHARACTERS + 1)
    payload["records"][0]["fields"]["situation"] = {"nested": ["Elira"] * 10}
    payload["summary"]["sex"] = "Elira"
    payload["case"]["reference"] = "Elira Hoxha's case, too long a reference"
    refused = refusal("package", payload)
    assert "Elira" not in refused.detail
    assert "person: value_error" in refused.detail


def test_an_open_part_is_capped_as_a_whole():
    payload = example("package")
    payload["records"][0]["fields"]["goals"] = "x" * messages.OPEN_PART_CHARACTERS
    assert "records.0.fields: value_error" in refusal("package", payload).detail


def test_only_the_first_problems_are_named():
    payload = {f"extra_{n}": n for n in range(9)}
    detail = refusal("erased", payload).detail
    assert detail.endswith("and 5 more")


def test_a_receipt_is_not_a_message_and_an_unknown_type_is_unknown():
    assert refusal("receipt", example("receipt")).code == "not_a_message"
    assert refusal("transfer", {}).code == "unknown_type"
    assert str(REFUSALS["schema_violation"]).endswith(".")
    assert str(REFUSALS["not_a_message"]).endswith(".")


def test_the_schemas_command_checks_and_writes_the_files(tmp_path, monkeypatch, capsys):
    from trm.federation.commands import schemas_command

    for path in SCHEMA_DIR.glob("*.schema.json"):
        (tmp_path / path.name).write_text(path.read_text())
    monkeypatch.setattr(messages, "SCHEMA_DIR", tmp_path)
    schemas_command(check=True)
    (tmp_path / "ask.schema.json").write_text("{}")
    with pytest.raises(SystemExit) as failed:
        schemas_command(check=True)
    assert failed.value.code == 1
    assert "ask.schema.json" in capsys.readouterr().err
    schemas_command(check=False)
    assert differing_schemas() == []


def test_the_preview_and_its_age_bands_are_those_of_the_referrals_on_one_node():
    from typing import get_args

    from trm.referrals.payload import AgeBand, Preview

    assert set(messages.Summary.model_fields) == set(Preview.__dataclass_fields__)
    assert set(get_args(messages.AgeBand)) == set(AgeBand.values)
