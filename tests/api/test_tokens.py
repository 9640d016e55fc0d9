"""API tokens: made and revoked by an organisation's administrators (page or command line),
kept only as a hash, audited, limited to their scopes and to what their maker may do there;
`GET /api/me` tells a caller what it is; the browser's session needs CSRF."""

import hashlib

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from tests.api.conftest import Api, token_api, token_maker
from trm.accounts.models import Membership, Role, User
from trm.api.models import ApiToken
from trm.api.tokens import create_token, revoke_token
from trm.audit.models import AuditEvent
from trm.cases.actions import journey as case_journey
from trm.cases.models import Approval
from trm.cli import main
from trm.lib.errors import NotAllowed

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(personas):
    return personas.albanian_administrator()


def test_an_administrator_makes_a_token_and_sees_its_secret_once(personas, administrator):
    organisation = administrator.memberships.get().organisation
    Membership.objects.create(user=administrator, organisation=organisation, role=Role.CASE_WORKER)
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
    assert event.details == {
        "token": token.pk,
        "scopes": token.scopes,
        "role": "case_worker",
        "maker": administrator.pk,
    }
    membership = Membership.objects.get(user=token.user)
    assert (membership.organisation, membership.role) == (organisation, Role.CASE_WORKER)
    assert not token.user.has_usable_password()
    assert token.user.username == f"token-{token.pk}"


def test_an_administrator_without_a_case_role_makes_directory_tokens_only(
    personas, administrator, journey
):
    organisation = administrator.memberships.get().organisation
    browser = personas.signed_in(administrator)
    page = browser.post(
        f"/api-tokens/{organisation.pk}/",
        {"name": "Case sync", "scopes": ["cases:read", "cases:write"]},
    )
    assert page.context["secret"] is None
    [refusal] = page.context["form"].non_field_errors()
    assert "reaches no further than the person who makes it" in refusal
    assert "cases:read, cases:write" in refusal
    assert not ApiToken.objects.exists()
    page = browser.post(
        f"/api-tokens/{organisation.pk}/",
        {"name": "Directory mirror", "scopes": ["directory:read"]},
    )
    token = ApiToken.objects.get()
    assert page.context["secret"]
    assert token.role is None
    assert not Membership.objects.filter(user=token.user).exists(), "it holds no role at all"
    api = Api(Client(), {"Authorization": f"Bearer {page.context['secret']}"})
    assert api.get("/api/directory/countries").status_code == 200
    assert api.get("/api/cases/").status_code == 403


def test_a_case_scoped_token_needs_the_second_factor_of_the_session(personas, administrator):
    organisation = administrator.memberships.get().organisation
    Membership.objects.create(user=administrator, organisation=organisation, role=Role.SUPERVISOR)
    with pytest.raises(NotAllowed, match="second factor"):
        create_token(administrator, organisation, name="Sync", scopes=["cases:read"])
    create_token(administrator, organisation, name="Mirror", scopes=["directory:read"])
    token, _secret = create_token(
        administrator, organisation, name="Sync", scopes=["cases:read"], second_factor=True
    )
    assert token.role == Role.SUPERVISOR, "the maker's only case role there"


def test_a_token_takes_the_narrowest_of_its_makers_roles_for_its_scopes(journey):
    organisation = journey.sender
    maker = token_maker(organisation, Role.SUPERVISOR)
    for role in (Role.FOCAL_POINT, Role.DATA_PROTECTION_OFFICER):
        Membership.objects.create(user=maker, organisation=organisation, role=role)

    def role_for(scopes):
        return create_token(None, organisation, name="x", scopes=scopes, maker=maker)[0].role

    assert role_for(["cases:read"]) == Role.FOCAL_POINT
    assert role_for(["cases:read", "referrals:write"]) == Role.FOCAL_POINT
    Membership.objects.filter(user=maker, role=Role.FOCAL_POINT).delete()
    assert role_for(["cases:write"]) == Role.SUPERVISOR


def test_a_data_protection_officer_may_give_reading_cases_only(journey):
    officer = token_maker(journey.sender, Role.DATA_PROTECTION_OFFICER)
    token, secret = create_token(
        None, journey.sender, name="Audit", scopes=["cases:read"], maker=officer
    )
    assert token.role == Role.DATA_PROTECTION_OFFICER
    case = journey.open()
    reader = Api(Client(), {"Authorization": f"Bearer {secret}"})
    assert reader.get(f"/api/cases/{case.pk}").status_code == 200
    for scopes in (["cases:write"], ["referrals:read"], ["tasks:read"]):
        with pytest.raises(NotAllowed, match="data protection officer may give cases:read only"):
            create_token(None, journey.sender, name="x", scopes=scopes, maker=officer)


def test_a_token_stops_reaching_case_data_when_its_maker_loses_the_role(journey):
    case = journey.open()
    maker = token_maker(journey.sender, Role.CASE_WORKER)
    api = token_api(journey.sender, ["cases:read", "directory:read"], maker=maker)
    assert api.get(f"/api/cases/{case.pk}").status_code == 200
    maker.memberships.update(is_active=False)
    refused = api.get(f"/api/cases/{case.pk}")
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith(
        "The person this token acts for no longer holds the role Case worker"
    )
    assert api.get("/api/cases/").status_code == 403
    assert api.get("/api/directory/countries").status_code == 200, "the directory is no case"
    me = api.get("/api/me").json()["token"]
    assert me["reaches_case_data"] is False
    assert me["may_not"][0] == refused.json()["detail"]
    maker.memberships.update(is_active=True)
    assert api.get(f"/api/cases/{case.pk}").status_code == 200, "checked at every use"
    User.objects.filter(pk=maker.pk).update(is_active=False)
    assert api.get(f"/api/cases/{case.pk}").status_code == 403, "a deactivated maker too"


def test_a_token_made_for_nobody_reaches_no_case_data(journey):
    """Tokens made before makers counted (by the command line, or by a maker since deleted)."""
    case = journey.open()
    api = token_api(journey.sender, ["cases:read"])
    ApiToken.objects.filter(pk=api.token.pk).update(created_by=None)
    refused = api.get(f"/api/cases/{case.pk}")
    assert refused.status_code == 403
    assert "acts for nobody who holds a case role" in refused.json()["detail"]


def test_a_token_never_decides_an_approval_whatever_its_makers_role(journey):
    case = journey.open()
    approval = journey.run(
        case_journey.request_approval, journey.worker, case, "closure", closure_reason="completed"
    )
    api = token_api(journey.sender, ["cases:read", "cases:write"], maker=journey.second_supervisor)
    assert api.token.role == Role.SUPERVISOR
    path = f"/api/cases/{case.pk}/approvals/{approval.pk}/decision"
    refused = api.post(path, {"approve": True})
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("A decision that needs a second person")
    assert Approval.objects.get(pk=approval.pk).decided_at is None
    outsider = token_api(journey.personas.organisation("GR"))
    assert outsider.post(path, {"approve": True}).status_code == 404, "hidden stays hidden"
    documented = api.get("/api/openapi.json").json()["paths"]
    assert (
        "People only"
        in documented["/api/cases/{case_id}/approvals/{approval_id}/decision"]["post"][
            "description"
        ]
    )


def test_me_tells_a_token_what_it_is_and_what_it_may_not_do(journey):
    maker = token_maker(journey.sender, Role.CASE_WORKER)
    api = token_api(journey.sender, ["cases:read", "tasks:read"], name="Case sync", maker=maker)
    me = api.get("/api/me")
    assert me.status_code == 200
    body = me.json()
    assert (body["kind"], body["username"], body["name"]) == (
        "token",
        f"token-{api.token.pk}",
        "Case sync",
    )
    assert body["second_factor"] is None
    [membership] = body["memberships"]
    assert (membership["organisation"], membership["role"]) == (journey.sender.slug, "case_worker")
    token = body["token"]
    assert token["organisation"] == journey.sender.slug
    assert token["scopes"] == ["cases:read", "tasks:read"]
    assert (token["role"], token["made_by"], token["expires_at"]) == (
        "case_worker",
        maker.username,
        None,
    )
    assert token["begins_with"] == api.token.prefix
    assert token["created_at"]
    assert token["reaches_case_data"] is True
    may_not = " ".join(token["may_not"])
    assert "Without the scope cases:write" in may_not
    assert "Without the scope tasks:read" not in may_not
    assert "Decide approvals" in may_not
    directory_only = token_api(journey.sender, ["directory:read"]).get("/api/me").json()
    assert (directory_only["memberships"], directory_only["token"]["role"]) == ([], None)
    assert directory_only["token"]["made_by"] is None
    assert directory_only["token"]["reaches_case_data"] is False


def test_me_tells_a_person_who_they_are(journey, as_user):
    body = as_user(journey.worker).get("/api/me").json()
    assert (body["kind"], body["username"], body["token"]) == (
        "session",
        journey.worker.username,
        None,
    )
    assert body["second_factor"] is True
    [membership] = body["memberships"]
    assert (membership["organisation_id"], membership["role"]) == (journey.sender.pk, "case_worker")
    assert Api(Client()).get("/api/me").status_code == 401


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


def test_the_command_line_makes_a_token_for_the_person_it_names(capsys, personas):
    focal_point = personas.albanian_focal_point()
    organisation = focal_point.memberships.get().organisation.slug
    main(["token", "create", "--organisation", organisation, "--scopes",
          "referrals:read,referrals:write", "--name", "Inbox bridge",
          "--by", focal_point.username])  # fmt: skip
    output = capsys.readouterr().out
    token = ApiToken.objects.get()
    secret = next(line for line in output.splitlines() if line.startswith("trm_"))
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert f"acting for {focal_point.username} as focal_point" in output
    assert Membership.objects.get(user=token.user).role == Role.FOCAL_POINT
    assert token.created_by == focal_point
    event = AuditEvent.objects.get(action="trm.api_token.created")
    assert (event.actor, event.details["maker"]) == (None, focal_point.pk)
    with pytest.raises(SystemExit) as refused:
        main(["token", "create", "--organisation", organisation, "--scopes", "cases:delete",
              "--name", "x", "--by", focal_point.username])  # fmt: skip
    assert "Unknown scopes: cases:delete" in str(refused.value)
    assert ApiToken.objects.count() == 1


def test_the_command_line_gives_case_scopes_only_to_a_named_person_who_holds_a_case_role(
    capsys, personas
):
    administrator = personas.albanian_administrator()
    with pytest.raises(SystemExit) as refused:
        main(["token", "create", "--organisation", "iom-albania", "--scopes", "cases:read",
              "--name", "x"])  # fmt: skip
    assert "reach case data" in str(refused.value)
    assert "--by USERNAME" in str(refused.value)
    with pytest.raises(SystemExit) as refused:
        main(["token", "create", "--organisation", "iom-albania", "--scopes", "cases:read",
              "--name", "x", "--by", administrator.username])  # fmt: skip
    assert "reaches no further than the person who makes it" in str(refused.value)
    with pytest.raises(SystemExit) as refused:
        main(["token", "create", "--organisation", "iom-albania", "--scopes", "cases:read",
              "--name", "x", "--by", "nobody"])  # fmt: skip
    assert refused.value.code == 2
    assert "there is no user 'nobody'" in capsys.readouterr().err
    assert not ApiToken.objects.exists()
    main(["token", "create", "--organisation", "iom-albania", "--scopes", "directory:read",
          "--name", "Directory mirror"])  # fmt: skip
    assert ApiToken.objects.get().role is None


def test_the_command_line_lists_the_organisations_when_it_knows_none_by_that_name(
    capsys, directory
):
    with pytest.raises(SystemExit) as refused:
        main(["token", "create", "--organisation", "nowhere", "--scopes", "directory:read",
              "--name", "x"])  # fmt: skip
    assert refused.value.code == 2
    error = capsys.readouterr().err
    assert "there is no organisation with the short name 'nowhere'" in error
    assert "\n  iom-albania\n" in error
    assert "\n  es-accem\n" in error
    assert not ApiToken.objects.exists()


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
