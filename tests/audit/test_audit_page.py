"""The data protection officer reads the audit trail of their organisations, and only they."""

from datetime import UTC, datetime

import pytest
import time_machine

from trm.accounts.models import Membership, Role
from trm.audit.log import record, record_many
from trm.audit.models import AuditEvent


@pytest.fixture
def spanish_dpo(personas):
    return personas.user("es.dpo", "ES", Role.DATA_PROTECTION_OFFICER)


@pytest.fixture
def spain(spanish_dpo):
    return spanish_dpo.memberships.get().organisation


def rows(response) -> int:
    return response.content.decode().count('<th scope="row">')


def test_the_dpo_sees_the_events_of_their_organisation_only(personas, spanish_dpo, spain):
    greece = personas.organisation("GR")
    record("trm.case.viewed", organisation=spain, object_type="cases.case", object_id="es-17")
    record("trm.case.viewed", organisation=greece, object_type="cases.case", object_id="gr-23")
    record("trm.retention.reported", object_type="core.node", object_id="node-1")
    response = personas.signed_in(spanish_dpo).get("/audit/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "es-17" in page
    assert "gr-23" not in page
    assert "node-1" not in page
    assert "<caption" in page
    assert '<th scope="col">' in page


def test_viewing_the_audit_trail_is_itself_recorded(personas, spanish_dpo, spain):
    browser = personas.signed_in(spanish_dpo)
    browser.get("/audit/", {"object_type": "cases.case", "object_id": "es-17", "username": "x"})
    viewed = AuditEvent.objects.get(action="trm.audit.viewed")
    assert viewed.actor == spanish_dpo
    assert viewed.organisation == spain
    assert (viewed.object_type, viewed.object_id) == ("cases.case", "es-17")
    assert viewed.details == {
        "organisations": [spain.pk],
        "filters": ["object_id", "object_type", "username"],
    }


@pytest.mark.parametrize(
    "role",
    [
        Role.CASE_WORKER,
        Role.SUPERVISOR,
        Role.FOCAL_POINT,
        Role.COORDINATOR,
        Role.ORGANISATION_ADMIN,
    ],
)
def test_other_roles_get_404_on_the_audit_page(personas, role):
    user = personas.user("es.someone", "ES", role)
    record("trm.case.viewed", organisation=user.memberships.get().organisation)
    assert personas.signed_in(user).get("/audit/").status_code == 404
    assert not AuditEvent.objects.filter(action="trm.audit.viewed").exists()


def test_a_former_dpo_gets_404(personas, spanish_dpo):
    browser = personas.signed_in(spanish_dpo)
    Membership.objects.filter(user=spanish_dpo).update(is_active=False)
    assert browser.get("/audit/").status_code == 404


def test_the_audit_page_needs_a_signed_in_user(client, directory):
    response = client.get("/audit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"date_from": "yesterday"}, "Enter a valid date."),
        ({"date_from": "2026-05-02", "date_to": "2026-05-01"}, "The end date is before"),
        ({"action": "case.viewed"}, "An action name starts with trm"),
        ({"action": "trm.Case"}, "An action name starts with trm"),
        ({"object_type": "case"}, "Use app.model"),
        ({"object_id": "17"}, "Give the object type too."),
        ({"username": "<script>"}, "Enter a valid username"),
    ],
)
def test_malformed_filters_list_nothing(personas, spanish_dpo, spain, filters, message):
    record("trm.case.viewed", organisation=spain, object_type="cases.case", object_id="17")
    response = personas.signed_in(spanish_dpo).get("/audit/", filters)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'class="error-summary"' in page
    assert rows(response) == 0
    assert "<table" not in page


def test_the_dpo_filters_by_object_user_action_and_time(personas, spanish_dpo, spain):
    worker = personas.spanish_case_worker()
    with time_machine.travel(datetime(2026, 3, 1, 10, tzinfo=UTC), tick=False):
        record(
            "trm.case.viewed",
            actor=worker,
            organisation=spain,
            object_type="cases.case",
            object_id="1",
        )
    with time_machine.travel(datetime(2026, 3, 2, 23, 59, tzinfo=UTC), tick=False):
        record(
            "trm.referral.sent",
            actor=worker,
            organisation=spain,
            object_type="referrals.referral",
            object_id="1",
        )
    with time_machine.travel(datetime(2026, 3, 3, 0, 1, tzinfo=UTC), tick=False):
        # A name outside the namespace trm.case, which the catalogue no longer has: an older
        # release's event, written as it wrote it.
        record_many(
            [
                AuditEvent(
                    action="trm.cases.exported",
                    organisation=spain,
                    object_type="cases.case",
                    object_id="2",
                )
            ]
        )
    browser = personas.signed_in(spanish_dpo)

    def sequences(**filters) -> list[int]:
        response = browser.get("/audit/", filters)
        assert response.status_code == 200
        shown = list(response.context["page"].object_list)
        return [e.sequence for e in shown if e.action != "trm.audit.viewed"]

    assert sequences(object_type="cases.case", object_id="1") == [1]
    assert sequences(object_type="cases.case") == [3, 1]
    assert sequences(username="es.caseworker") == [2, 1]
    assert sequences(action="trm.case") == [1]
    assert sequences(action="trm.case.viewed") == [1]
    assert sequences(action="trm.") == [3, 2, 1]
    assert sequences(date_from="2026-03-02", date_to="2026-03-02") == [2]
    assert sequences(date_from="2026-03-02") == [3, 2]
    assert sequences(date_to="2026-03-01") == [1]


def test_events_are_listed_newest_first_fifty_to_a_page(personas, spanish_dpo, spain):
    for number in range(1, 61):
        record(
            "trm.case.viewed", organisation=spain, object_type="cases.case", object_id=str(number)
        )
    browser = personas.signed_in(spanish_dpo)
    first = browser.get("/audit/", {"action": "trm.case"})
    assert [e.sequence for e in first.context["page"].object_list][:2] == [60, 59]
    assert rows(first) == 50
    second = browser.get("/audit/", {"action": "trm.case", "page": 2})
    assert rows(second) == 10
    assert "action=trm.case&amp;page=1" in second.content.decode()


def test_a_malformed_filter_is_explained_in_the_officers_language(personas):
    dpo = personas.user("fr.dpo", "ES", Role.DATA_PROTECTION_OFFICER, language="fr")
    response = personas.signed_in(dpo).get("/audit/", {"date_from": "hier"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'lang="fr"' in page
    assert "Saisissez une date valide." in page
