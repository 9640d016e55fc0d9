"""API tokens: made and revoked by an organisation's administrators (page or command line),
kept only as a hash, audited, limited to their scopes; the browser's session needs CSRF."""

import hashlib

import pytest
from django.contrib.sessions.models import Session

from tests.api.conftest import Api, token_api
from trm.accounts.models import Membership, Role
from trm.api.models import ApiToken
from trm.api.tokens import create_token, revoke_token
from trm.audit.models import AuditEvent
from trm.cli import main
from trm.lib.errors import NotAllowed

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(personas):
    return personas.albanian_administrator()


def test_an_administrator_makes_a_token_and_sees_its_secret_once(personas, administrator):
    organisation = administrator.memberships.get().organisation
    browser = personas.signed_in(administrator)
    assert browser.get("/api-tokens/").url == f"/api-tokens/{organisation.pk}/"
    page = browser.post(
        f"/api-tokens/{organisation.pk}/",
        {"name": "Shelter case system", "scopes": ["cases:read", "referrals:read"]},
    )
    assert page.status_code == 200
    assert "no-store" in page.headers["Cache-Control"]
    secret = page.context["secret"]
    assert secret.startswith("trm_")
    assert secret in page.text
    token = ApiToken.objects.get()
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.values().get()), "only the hash is kept"
    assert (token.scopes, token.created_by) == (["cases:read", "referrals:read"], administrator)
    assert secret not in browser.get(f"/api-tokens/{organisation.pk}/").text, "shown once"
    event = AuditEvent.objects.get(action="trm.api_token.created")
    assert event.details == {"token": token.pk, "scopes": token.scopes, "role": "case_worker"}
    membership = Membership.objects.get(user=token.user)
    assert (membership.organisation, membership.role) == (organisation, Role.CASE_WORKER)
    assert not token.user.has_usable_password()
    assert token.user.username == f"token-{token.pk}"


def test_only_the_organisations_administrators_manage_its_tokens(personas, administrator):
    organisation = administrator.memberships.get().organisation
    focal_point = personas.signed_in(personas.albanian_focal_point())
    assert focal_point.get(f"/api-tokens/{organisation.pk}/").status_code == 404
    assert focal_point.get("/api-tokens/").status_code == 404
    spanish = personas.organisation("ES")
    assert personas.signed_in(administrator).get(f"/api-tokens/{spanish.pk}/").status_code == 404
    assert not ApiToken.objects.exists()


def test_a_revoked_token_is_refused(personas, administrator, journey):
    organisation = administrator.memberships.get().organisation
    api = token_api(organisation, ["directory:read"])
    assert api.get("/api/directory/countries").status_code == 200
    browser = personas.signed_in(administrator)
    response = browser.post(f"/api-tokens/{organisation.pk}/{api.token.pk}/revoke/")
    assert response.status_code == 302
    refused = api.get("/api/directory/countries")
    assert refused.status_code == 401
    assert refused.json()["detail"] == "This API token is not valid or was revoked."
    assert refused.headers["WWW-Authenticate"] == 'Bearer realm="trm"'
    api.token.refresh_from_db()
    assert api.token.revoked_by == administrator
    assert not api.token.user.is_active
    assert AuditEvent.objects.filter(action="trm.api_token.revoked").count() == 1
    assert browser.post(f"/api-tokens/{organisation.pk}/{api.token.pk}/revoke/").status_code == 302
    assert AuditEvent.objects.filter(action="trm.api_token.revoked").count() == 1


def test_the_command_line_makes_a_token_and_prints_its_secret_once(capsys, directory):
    main(["token", "create", "--organisation", "iom-albania", "--scopes",
          "referrals:read,referrals:write", "--name", "Inbox bridge"])  # fmt: skip
    output = capsys.readouterr().out
    token = ApiToken.objects.get()
    secret = next(line for line in output.splitlines() if line.startswith("trm_"))
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert Membership.objects.get(user=token.user).role == Role.FOCAL_POINT
    assert AuditEvent.objects.get(action="trm.api_token.created").actor is None
    with pytest.raises(SystemExit) as refused:
        main(["token", "create", "--organisation", "iom-albania", "--scopes", "cases:delete",
              "--name", "x"])  # fmt: skip
    assert "Unknown scopes: cases:delete" in str(refused.value)
    with pytest.raises(SystemExit):
        main(["token", "create", "--organisation", "nowhere", "--scopes", "cases:read",
              "--name", "x"])  # fmt: skip
    assert ApiToken.objects.count() == 1


def test_a_token_without_the_scope_gets_403_whatever_the_case(journey):
    case = journey.open()
    api = token_api(journey.sender, ["cases:read"])
    refused = api.post(f"/api/cases/{case.pk}/records", {"kind": "screening", "data": {}})
    assert refused.status_code == 403
    assert refused.json() == {
        "detail": "This API token lacks the scope cases:write.",
        "reasons": ["This API token lacks the scope cases:write."],
        "errors": [],
    }
    missing = "00000000-0000-0000-0000-000000000000"
    assert api.post(f"/api/cases/{missing}/records", {"kind": "screening"}).status_code == 403
    assert api.get(f"/api/cases/{case.pk}").status_code == 200
    assert api.get("/api/tasks/notifications").status_code == 403
    assert api.get("/api/referrals/inbox").status_code == 403


def test_a_token_is_recognised_only_whole_and_its_use_noted_not_audited(journey):
    api = token_api(journey.sender, ["directory:read"])
    assert api.token.last_used_at is None
    before = AuditEvent.objects.count()
    assert api.get("/api/directory/countries").status_code == 200
    api.token.refresh_from_db()
    assert api.token.last_used_at is not None
    assert AuditEvent.objects.count() == before, "use is noted on the token, not audited"
    for wrong in [api.secret[:-1], api.secret + "x", "Token " + api.secret]:
        header = wrong if wrong.startswith("Token") else f"Bearer {wrong}"
        response = Api(api.client).get(
            "/api/directory/countries", headers={"Authorization": header}
        )
        assert response.status_code == 401, wrong
    anonymous = Api(api.client).get("/api/directory/countries")
    assert anonymous.status_code == 401
    assert anonymous.json()["detail"].startswith("Sign in, or send an API token")


def test_a_token_of_a_deactivated_membership_sees_nothing(journey):
    case = journey.open()
    api = token_api(journey.sender)
    Membership.objects.filter(user=api.token.user).update(is_active=False)
    assert api.get(f"/api/cases/{case.pk}").status_code == 404
    assert api.get("/api/cases/").json()["count"] == 0


def test_the_browsers_writes_need_the_csrf_token(journey, personas):
    case = journey.open()
    browser = personas.signed_in(journey.worker)
    browser.handler.enforce_csrf_checks = True
    api = Api(browser)
    assert api.get(f"/api/cases/{case.pk}").status_code == 200, "reads need no CSRF token"
    refused = api.patch(f"/api/cases/{case.pk}/person", {"version": 1, "family_name": "X"})
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    browser.get("/")  # the page sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    accepted = api.patch(f"/api/cases/{case.pk}/person", {"version": 1, "family_name": "X"},
                         headers={"X-CSRFToken": token})  # fmt: skip
    assert accepted.status_code == 200, accepted.json()


def test_an_administrator_manages_only_the_tokens_of_their_organisation(administrator, journey):
    with pytest.raises(NotAllowed):
        create_token(administrator, journey.sender, name="Elsewhere", scopes=["tasks:read"])
    foreign = token_api(journey.sender, ["tasks:read"])
    with pytest.raises(NotAllowed):
        revoke_token(administrator, foreign.token)
    foreign.token.refresh_from_db()
    assert foreign.token.revoked_at is None


def test_an_expired_session_gets_a_structured_401(journey, personas):
    case = journey.open()
    browser = personas.signed_in(journey.worker)
    Session.objects.all().delete()  # the session ended (idle too long, or signed out elsewhere)
    response = Api(browser).get(f"/api/cases/{case.pk}")
    assert response.status_code == 401
    assert set(response.json()) == {"detail", "reasons", "errors"}
