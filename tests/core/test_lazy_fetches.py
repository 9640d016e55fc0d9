"""Every main page loads what it shows in its own queries: no related object or deferred field
is fetched lazily while it renders (Django's FETCH_RAISE turns each such fetch into an error),
and the pages that list cases make as many queries for 15 cases as for 3."""

from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import connection, transaction
from django.db.models import FETCH_RAISE
from django.db.models import query as django_query
from django.test.utils import CaptureQueriesContext, override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.personas import Personas
from tests.referrals.journeys import Journey, committed
from trm.access.actions import break_the_glass
from trm.accounts.models import Role
from trm.cases.actions import casework as case_actions
from trm.cases.actions import journey as case_journey
from trm.cases.stages import Stage
from trm.deadlines.models import Deadline, Notification, NotificationEvent
from trm.referrals import actions as referral_actions

pytestmark = pytest.mark.django_db


@contextmanager
def lazy_fetches_raise():
    """Every queryset made inside raises FieldFetchBlocked where it would fetch lazily."""
    with mock.patch.object(django_query, "DEFAULT_FETCH_MODE", FETCH_RAISE):
        yield


def shown(browser, path, params=None, *, method="get", **options):
    """The page at `path`, rendered with lazy fetches raising; it must answer 200. A search
    is sent by POST (`method`), as the pages and the API send names."""
    with lazy_fetches_raise():
        response = getattr(browser, method)(path, params or {}, **options)
    assert response.status_code == 200, (path, params, response.status_code)
    return response


class Workspace:
    """IOM Spain refers to IOM Albania: a case at each stage of the journey, a child's case,
    a question on a referral, a pending approval and a notification."""

    def __init__(self, personas):
        self.personas = personas
        team = self.team = Journey(personas, sending="ES", receiving="AL")
        self.first_assistance = team.to_referral(until=Stage.FIRST_ASSISTANCE)
        self.sent = team.send(team.to_referral())
        committed(
            referral_actions.ask_for_information,
            team.receiving_worker,
            self.sent,
            "Does she need a doctor on arrival?",
        )
        self.received, self.received_referral = self.returned(team.to_referral())
        self.child, _referral = self.returned(team.to_referral(child=True))
        self.monitored, _referral = self.returned(team.to_referral())
        team.agree_plan(self.monitored)
        team.monitor(self.monitored)
        self.closed, _referral = self.returned(team.to_referral())
        team.agree_plan(self.closed)
        team.monitor(self.closed)
        self.closed = team.close(self.closed)
        for author in (team.worker, team.receiving_worker):
            committed(case_actions.add_note, author, self.received, "She asked about school.")
        committed(case_actions.attach_file, team.worker, self.received, "passport.pdf",
                  b"%PDF-1.4 a scan of her passport")  # fmt: skip
        # Left for the supervisor to decide.
        committed(
            case_journey.request_approval,
            team.worker,
            self.monitored,
            "closure",
            closure_reason="completed",
        )
        deadline = Deadline.objects.filter(case=self.sent.case).first()
        Notification.objects.create(
            user=team.worker,
            kind=deadline.kind,
            event=NotificationEvent.REMINDER,
            case=deadline.case,
            deadline=deadline,
        )
        focal_point_organisation = personas.organisation("AL", focal_point=True)
        case = team.to_referral()
        team.consent(case, ("identity",), to=focal_point_organisation)
        self.to_focal_point = team.send(case, ("identity",), receiver=focal_point_organisation)
        self.focal_point = team.staff(focal_point_organisation, Role.FOCAL_POINT)

    def returned(self, case):
        """The case referred, accepted, travelled and received in Albania."""
        referral = self.team.send(case)
        self.team.accept(referral)
        self.team.depart(case)
        self.team.confirm_reception(case)
        return case, referral


class ReturningPersonas(Personas):
    """The module's people sign in again in each test, maybe within one authenticator time
    step: the code they used in an earlier test, rolled back since, is theirs to use again."""

    def signed_in(self, user):
        TOTPDevice.objects.filter(user=user).update(last_t=-1)
        return super().signed_in(user)


@pytest.fixture(scope="module")
def _workspace(django_db_setup, django_db_blocker, _key_folder):
    # Built once for the module, in a transaction rolled back at its end, as the reader-view
    # world of tests/access: walking the journeys is the slow part; each test rolls back to it.
    # The keys and the password hashing are every test's (tests/conftest.py).
    with (
        django_db_blocker.unblock(),
        override_settings(
            KEY_FILE=_key_folder / "kek.key",
            NODE_KEY_FILE=_key_folder / "node_ed25519.pem",
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
    ):
        atomic = transaction.atomic()
        # As a TestCase's: the steps inside (durable transactions) may run within it.
        atomic._from_testcase = True
        atomic.__enter__()
        try:
            yield Workspace(ReturningPersonas())
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def workspace(_workspace, db):
    return _workspace


@pytest.fixture
def personas(workspace):
    """The workspace's people, not a new set for each test."""
    return workspace.personas


def test_my_work_loads_what_it_shows_for_every_role(personas, workspace):
    team = workspace.team
    for user in (team.worker, team.receiving_worker, workspace.focal_point):
        assert shown(personas.signed_in(user), "/").context["stages"] is not None
    assert shown(personas.signed_in(team.supervisor), "/").context["approvals"]
    coordinator = personas.user("es.coordinator", "ES", Role.COORDINATOR, authenticator=False)
    shown(personas.signed_in_without_second_factor(coordinator), "/")


def test_the_case_list_loads_what_it_shows(personas, workspace, monkeypatch):
    monkeypatch.setattr("trm.cases.views.PAGE_SIZE", 2)
    for user in (workspace.team.worker, workspace.team.receiving_worker):
        browser = personas.signed_in(user)
        assert shown(browser, "/cases/").context["rows"]
        shown(browser, "/cases/", {"stage": Stage.MONITORING})
        found = shown(browser, "/cases/?stage=monitoring", {"q": "Hoxha Anila"}, method="post")
        assert found.context["searching"]
        shown(browser, "/cases/", {"q": "Hoxha Anila", "page": 2}, method="post")
        shown(browser, "/cases/", {"overdue": "on", "age": "child"})
        assert shown(browser, "/cases/", {"page": 2}).context["page"].number == 2


def test_case_pages_at_every_stage_load_what_they_show(personas, workspace):
    cases = [
        workspace.first_assistance,
        workspace.sent.case,
        workspace.received,
        workspace.child,
        workspace.monitored,
        workspace.closed,
    ]
    sender = personas.signed_in(workspace.team.worker)
    receiver = personas.signed_in(workspace.team.receiving_worker)
    for case in cases:
        page = shown(sender, f"/cases/{case.pk}/")
        assert page.context["timeline"]
        shown(sender, f"/consent/cases/{case.pk}/")
    for case in (workspace.received, workspace.child, workspace.monitored, workspace.closed):
        shown(receiver, f"/cases/{case.pk}/")
    assert shown(sender, f"/cases/{workspace.received.pk}/").context["attachments"]
    record = workspace.received.records.filter(kind="risk_assessment").first()
    shown(sender, f"/cases/{workspace.first_assistance.pk}/records/support_plan/")
    shown(sender, f"/cases/{workspace.received.pk}/records/risk_assessment/{record.pk}/")
    shown(receiver, f"/cases/{workspace.received.pk}/records/reintegration_plan/")
    shown(sender, f"/cases/{workspace.first_assistance.pk}/steps/start_counselling/")


def test_a_case_opened_in_an_emergency_loads_what_it_shows(personas, workspace):
    case = workspace.received
    # A supervisor of another organisation in Spain may break the glass.
    supervisor = workspace.team.staff(
        personas.organisation("ES", focal_point=True), Role.SUPERVISOR
    )
    browser = personas.signed_in(supervisor)
    shown(browser, f"/cases/{case.pk}/emergency-access/")
    committed(break_the_glass, supervisor, case, "She called from the border at night.")
    assert shown(browser, f"/cases/{case.pk}/").context["access"].is_emergency


def test_approvals_and_notifications_load_what_they_show(personas, workspace):
    approvals = shown(personas.signed_in(workspace.team.supervisor), "/cases/approvals/")
    assert approvals.context["approvals"]
    notifications = shown(personas.signed_in(workspace.team.worker), "/notifications/")
    assert notifications.context["page"].object_list


def test_referral_pages_load_what_they_show(personas, workspace):
    team = workspace.team
    sender, receiver = personas.signed_in(team.worker), personas.signed_in(team.receiving_worker)
    focal_point = personas.signed_in(workspace.focal_point)
    assert shown(receiver, "/referrals/").context["incoming"]
    assert shown(sender, "/referrals/").context["outgoing"]
    assert shown(focal_point, "/referrals/").context["incoming"]
    for referral in (workspace.sent, workspace.received_referral):
        shown(sender, f"/referrals/{referral.pk}/")
        shown(receiver, f"/referrals/{referral.pk}/")
    shown(focal_point, f"/referrals/{workspace.to_focal_point.pk}/")
    case = team.to_referral()
    shown(sender, f"/referrals/send/{case.pk}/", {"receiver": team.receiver.pk})


def test_the_directory_loads_what_it_shows(personas):
    browser = personas.signed_in(personas.spanish_case_worker())
    assert shown(browser, "/directory/").context["page"].object_list
    shown(browser, "/directory/", {"country": "AL", "service": "psychosocial", "children": "on"})
    shown(browser, f"/directory/organisations/{personas.organisation('AL').pk}/")
    shown(browser, "/directory/countries/AL/")


def test_administration_and_data_protection_pages_load_what_they_show(personas, workspace):
    administrator = personas.user("es.admin", "ES", Role.ORGANISATION_ADMIN)
    organisation = workspace.team.sender
    browser = personas.signed_in(administrator)
    shown(browser, f"/accounts/organisations/{organisation.pk}/users/")
    shown(browser, f"/api-tokens/{organisation.pk}/")
    shown(browser, f"/directory/organisations/{organisation.pk}/edit/")
    dpo = personas.signed_in(personas.user("es.dpo", "ES", Role.DATA_PROTECTION_OFFICER))
    assert "trm.case" in shown(dpo, "/audit/").text
    shown(dpo, "/rights/")
    shown(dpo, f"/rights/cases/{workspace.closed.pk}/")
    shown(dpo, f"/rights/cases/{workspace.closed.pk}/export/")
    shown(dpo, "/rights/retention/")


def test_the_api_loads_what_it_answers(personas, workspace):
    team = workspace.team
    sender, receiver = personas.signed_in(team.worker), personas.signed_in(team.receiving_worker)
    assert shown(sender, "/api/cases/").json()["items"]
    assert shown(receiver, "/api/cases/").json()["items"]
    # The receiving side holds her identity, not her documents: it searches by name only.
    for browser, search in [(sender, {"name": "Hoxha Anila", "document": "BA 1234567"}),
                            (receiver, {"name": "Hoxha Anila"})]:  # fmt: skip
        found = shown(browser, "/api/cases/search", search, method="post",
                      content_type="application/json")  # fmt: skip
        assert found.json()["items"]
    for case in (workspace.sent.case, workspace.child, workspace.closed):
        shown(sender, f"/api/cases/{case.pk}")
        shown(sender, f"/api/cases/{case.pk}/records")
        shown(sender, f"/api/cases/{case.pk}/moves")
        shown(sender, f"/api/cases/{case.pk}/approvals")
    shown(receiver, f"/api/cases/{workspace.child.pk}")
    shown(receiver, "/api/referrals/inbox")
    shown(sender, "/api/referrals/outbox")
    for referral in (workspace.sent, workspace.received_referral):
        for browser in (sender, receiver):
            shown(browser, f"/api/referrals/{referral.pk}")
            shown(browser, f"/api/referrals/{referral.pk}/thread")
    shown(receiver, f"/api/referrals/{workspace.sent.pk}/preview")
    shown(sender, "/api/tasks/deadlines")
    shown(sender, "/api/tasks/notifications")
    shown(sender, "/api/directory/organisations")
    shown(sender, f"/api/directory/organisations/{team.receiver.pk}")
    shown(sender, "/api/directory/countries")


def queries(browser, path, params=None, **options) -> int:
    with CaptureQueriesContext(connection) as captured:
        shown(browser, path, params, **options)
    return len(captured)


def test_the_lists_and_my_work_make_as_many_queries_for_15_cases_as_for_3(personas):
    team = Journey(personas, sending="ES", receiving="MA")
    sender = personas.signed_in(team.worker)
    receiver = personas.signed_in(team.receiving_worker)
    supervisor = personas.signed_in(team.supervisor)

    def add_cases(count):
        for _number in range(count):
            case = team.to_referral(until=Stage.PRE_RETURN_ASSESSMENT)
            committed(case_journey.request_approval, team.worker, case, "closure",
                      closure_reason="completed")  # fmt: skip
            team.move(team.worker, case, "decide_go")
            team.send(case)

    def counts():
        return {
            "case list": queries(sender, "/cases/"),
            "case search": queries(sender, "/cases/", {"q": "Anila Hoxha"}, method="post"),
            "my work, case worker": queries(sender, "/"),
            "my work, receiving case worker": queries(receiver, "/"),
            "my work, supervisor": queries(supervisor, "/"),
            "API case list": queries(sender, "/api/cases/"),
            "API case search": queries(
                sender,
                "/api/cases/search",
                {"name": "Anila Hoxha"},
                method="post",
                content_type="application/json",
            ),
            "referrals sent": queries(sender, "/referrals/"),
            "referrals received": queries(receiver, "/referrals/"),
            "API referral inbox": queries(receiver, "/api/referrals/inbox"),
        }

    add_cases(3)
    few = counts()
    add_cases(12)
    assert counts() == few
