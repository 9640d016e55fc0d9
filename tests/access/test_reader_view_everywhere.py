"""Every page and every API endpoint of a case shows each reader exactly their view of it.

The case and its readers are tests/access/conftest.py's `world`.
"""

import functools
import html
import json

import pytest
from django.urls import reverse

from tests.api.conftest import token_api
from trm.access.categories import DataCategory
from trm.access.policy import access_to
from trm.access.view import case_view
from trm.cases.record_kinds import RECORD_KINDS
from trm.cases.workflow import TRANSITIONS

from .conftest import SHARED

pytestmark = pytest.mark.django_db


def case_pages(world) -> list[str]:
    case, referral = world.case, world.referral
    pk = case.pk
    paths = [
        reverse("cases:case", args=[pk]),
        reverse("cases:edit_person", args=[pk]),
        reverse("cases:emergency_access", args=[pk]),
        reverse("referrals:send", args=[pk]),
        reverse("referrals:referral", args=[referral.pk]),
        reverse("consent:case", args=[pk]),
        reverse("rights:case", args=[pk]),
        reverse("rights:export", args=[pk]),
        reverse("rights:export_json", args=[pk]),
        reverse("cases:list"),
        reverse("cases:approvals"),
        reverse("referrals:inbox"),
        reverse("home"),
        reverse("deadlines:notifications"),
    ]
    paths += [reverse("cases:record", args=[pk, kind]) for kind in RECORD_KINDS]
    paths += [reverse("cases:step", args=[pk, t.event]) for t in TRANSITIONS]
    for record in case.records.all():
        paths.append(reverse("cases:correct", args=[pk, record.kind, record.pk]))
    for attachment in case.attachments.all():
        paths.append(reverse("cases:download", args=[pk, attachment.pk]))
    return paths


@functools.cache  # the same document for every reader: made once, not once a reader (0.4 s)
def api_paths(world) -> list[str]:
    document = token_api(world.journey.sender).get("/api/openapi.json").json()
    ids = {"{case_id}": str(world.case.pk), "{referral_id}": str(world.referral.pk)}
    found = []
    for template, operations in document["paths"].items():
        if "get" not in operations or "{" in template.replace("{case_id}", "").replace(
            "{referral_id}", ""
        ):
            continue
        path = template
        for name, value in ids.items():
            path = path.replace(name, value)
        found.append(path)
    return found


def bodies(world, api) -> dict[str, str]:
    """Every response about the case for one reader: pages, API reads and both searches."""
    answers = {path: api.get(path) for path in (*case_pages(world), *api_paths(world))}
    name = world.case.person.given_name
    answers["POST /cases/ search"] = api.client.post(reverse("cases:list"), {"q": name})
    answers["POST /api/cases/search"] = api.post("/api/cases/search", {"name": name})
    found = {path: response.content.decode() for path, response in answers.items()}
    # The search box shows back what its reader typed: that is no finding.
    found["POST /cases/ search"] = found["POST /cases/ search"].replace(f'value="{name}"', "")
    return found


def test_no_reader_sees_a_value_outside_their_view_in_any_interface(world):
    for who, (user, api) in world.readers.items():
        allowed = world.allowed(user)
        for path, body in bodies(world, api).items():
            text = html.unescape(body)
            leaked = {value for value in world.secrets if value in text} - allowed
            assert not leaked, f"{who} read {sorted(leaked)} on {path}"


def test_the_case_page_and_the_api_show_exactly_the_readers_view(world):
    for who, (user, api) in world.readers.items():
        access = access_to(user, world.case)
        if not access:
            continue
        view = case_view(world.case, access)
        in_records = {
            value for record in view.records for value in record.values.values()
            if isinstance(value, str) and value in world.secrets
        }  # fmt: skip
        in_person = {s.value for s in view.person if str(s.value) in world.secrets}
        allowed = world.allowed(user)
        assert in_records == world.of("record", allowed), f"{who}: the view follows the referral"
        assert in_person == world.of("person", allowed) - {world.case.person.contacts["phone"]}
        listed = api.get(f"/api/cases/{world.case.pk}/records?limit=100").json()["items"]
        assert {str(r.id): r.values for r in view.records} == {
            item["id"]: item["fields"] for item in listed
        }, f"{who}: the API lists the records of the view, field by field"
        if who.endswith("token"):
            continue  # a token reads the API only
        page = html.unescape(api.get(reverse("cases:case", args=[world.case.pk])).content.decode())
        assert {value for value in world.secrets if value in page} >= in_records | in_person, who


def test_the_receiving_side_sees_the_included_text_and_not_the_rest(world):
    user, api = world.readers["receiving case worker"]
    page = api.get(reverse("cases:case", args=[world.case.pk])).content.decode()
    included = next(v for v, s in world.secrets.items() if s.narrative == world.included)
    withheld = [
        v for v, s in world.secrets.items()
        if s.narrative and s.narrative != world.included and s.category in SHARED
    ]  # fmt: skip
    assert included in page
    assert withheld, "the shared categories hold narrative the sender did not include"
    assert not [v for v in withheld if v in page]
    assert DataCategory.IDENTITY in access_to(user, world.case).categories


def test_readers_without_a_view_get_the_answer_of_a_missing_case(world):
    for who in ["owner coordinator", "owner administrator", "case worker abroad"]:
        _user, api = world.readers[who]
        assert api.get(reverse("cases:case", args=[world.case.pk])).status_code == 404, who
        assert api.get(f"/api/cases/{world.case.pk}").status_code == 404, who
        assert api.get(f"/api/cases/{world.case.pk}/records").status_code == 404, who


def test_the_api_never_names_a_withheld_field(world):
    for who in ["receiving case worker", "receiving data protection officer", "receiving token"]:
        user, api = world.readers[who]
        listed = api.get(f"/api/cases/{world.case.pk}/records?limit=100").json()
        assert "withheld" not in json.dumps(listed), who
        for item in listed["items"]:
            kind = RECORD_KINDS[item["kind"]]
            if item["organisation"] == world.case.owner.name:
                categories = {kind.category_of(name) for name in item["fields"]}
                assert categories <= set(world.referral.categories), (who, item["kind"])
