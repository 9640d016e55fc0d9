"""A step is whole: when anything it implies fails, nothing of it is left (design.md §4).

For each transition of the case's workflow and of the referral's, each record with
consequences and the withdrawal of consent, the step is run from a state where it is allowed:
once as it is (rolled back) to learn which effects it calls, then once for each of those
effects made to raise, and once with its last audit append made to raise. Each time the
database is found exactly as before: every table's rows, compared whole (the case's stage and
version, records, deadlines, notifications, messages, grants, audit events…). Each step runs
as if committed (on-commit callbacks run), so a consequence moved out of the transaction
shows as a row left behind.
"""

import contextlib
import datetime

import pytest
from django.db import connection, transaction
from django.utils import timezone

from tests.referrals.journeys import ALL_SCORES_3, Journey, committed, fresh, today
from trm.access import actions as access_actions
from trm.audit import log as audit_log
from trm.cases import workflow as case_workflow
from trm.cases.actions import journey as case_steps
from trm.cases.stages import Stage
from trm.consent import actions as consent_actions
from trm.consent.state import current_consents
from trm.lib import effects
from trm.referrals import actions as referrals
from trm.referrals import withdrawal
from trm.referrals import workflow as referral_workflow
from trm.rights import erasure

pytestmark = pytest.mark.django_db


class Injected(Exception):
    """The failure made to happen inside a step."""


def _plain(value):
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def snapshot() -> dict[str, list]:
    """Every table's rows as stored (ciphertext and all), in a stable order."""
    found = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            # The names are the database's own tables, quoted.
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            found[table] = sorted((tuple(_plain(v) for v in row) for row in cursor), key=repr)
    return found


def differences(before: dict, after: dict) -> dict[str, str]:
    """The tables whose rows differ, with their row counts before and after."""
    return {
        table: f"{len(before.get(table, []))} rows before, {len(rows)} after"
        for table, rows in after.items()
        if before.get(table) != rows
    }


@contextlib.contextmanager
def rolled_back():
    """A block whose writes are undone, in which steps (durable transactions) still run."""
    atomic = transaction.atomic()
    atomic._from_testcase = True  # as a TestCase's own transaction: steps may nest in it
    atomic.__enter__()
    try:
        yield
    finally:
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


def effects_called(step) -> tuple[list[str], int]:
    """The effects `step` calls, in order, and how many audit appends it makes; undone."""
    called, appends = [], []
    resolve, record_many = effects.resolve, audit_log.record_many

    def resolving(path):
        called.append(path)
        return resolve(path)

    def recording(events):
        appends.append(len(events))
        return record_many(events)

    with rolled_back():
        effects.resolve, audit_log.record_many = resolving, recording
        try:
            committed(step)
        finally:
            effects.resolve, audit_log.record_many = resolve, record_many
    return called, len(appends)


def raising_at(path: str, monkeypatch) -> None:
    """Make the function at dotted `path` raise `Injected`."""
    module, name = path.rsplit(".", 1)

    def fails(*args, **kwargs):
        raise Injected(path)

    monkeypatch.setattr(f"{module}.{name}", fails)


def raising_at_append(number: int, monkeypatch) -> None:
    """Make the `number`th audit append from now raise, after its event is in the chain."""
    record_many, count = audit_log.record_many, [0]

    def appends(events):
        recorded = record_many(events)
        count[0] += 1
        if count[0] == number:
            raise Injected("audit append")
        return recorded

    monkeypatch.setattr(audit_log, "record_many", appends)


# --- the steps, each from a state where it is allowed ------------------------------------------
# Each builds its starting state and returns the step, with the workflow's transitions it takes
# (whose effects must be among those it is found to call).


def case_move(event, case_at, *, user="worker", data=None, reason=""):
    def scenario(j):
        case = case_at(j)
        actor = getattr(j, f"{user}")
        return lambda: case_steps.move(
            actor, case, event, version=fresh(case).version, data=data, reason=reason
        )

    return scenario


def at(stage, **options):
    return lambda j: j.to_referral(until=stage, **options)


def chose_to_stay(j):
    case = j.to_referral(until=Stage.FIRST_ASSISTANCE)
    j.move(j.worker, case, "start_counselling")
    j.add(j.worker, case, "counselling", {"choice": "residence", "language": "sq"})
    return case


def staying(j):
    case = chose_to_stay(j)
    j.move(j.worker, case, "choose_to_stay")
    return case


def deciding_no_go(j):
    case = j.to_referral(until=Stage.OPTIONS_COUNSELLING)
    j.move(j.worker, case, "choose_return")
    j.add(j.worker, case, "risk_assessment", {"risk_level": "medium", "risk_to_life": False})
    j.add(j.worker, case, "return_decision", {"decision": "no_go"})
    return case


def referred(j, **options):
    case = j.to_referral(**options)
    return case, j.send(case)


def waiting_for_answer(j):
    return referred(j)[0]


def accepted(j, **options):
    case, referral = referred(j, **options)
    j.accept(referral)
    return case


def accepted_then_cancelled(j):
    case, referral = referred(j)
    j.accept(referral)
    j.run(referrals.cancel_referral, j.worker, referral, "The person changed her mind.")
    return case


def ready_to_leave(j):
    case = accepted(j)
    j.prepare_departure(case)
    return case


def travelling(j):
    case = accepted(j)
    j.depart(case)
    return case


def reintegrating(j):
    case = travelling(j)
    j.confirm_reception(case)
    return case


def planned(j):
    case = reintegrating(j)
    j.prepare_plan(case)
    return case


def monitored(j):
    case = planned(j)
    j.move(j.receiving_worker, case, "agree_plan")
    return case


def closed(j):
    case = monitored(j)
    j.monitor(case)
    j.close(case)
    return case


def closing(case_at):
    """The supervisor approves the closure asked for: the case closes in the same step."""

    def scenario(j):
        case = case_at(j)
        approval = j.ask_closure(case, "consent_withdrawn")
        return lambda: case_steps.decide_approval(j.supervisor, approval, approve=True)

    return scenario


def departing(j):
    case = ready_to_leave(j)
    return lambda: case_steps.move(
        j.worker,
        case,
        "depart",
        version=fresh(case).version,
        data={"departed_at": timezone.now().isoformat()},
    )


def confirming_reception(j):
    case = travelling(j)
    return lambda: case_steps.move(
        j.receiving_worker,
        case,
        "confirm_reception",
        version=fresh(case).version,
        data={
            "received_at": timezone.now().isoformat(),
            "met_by": "Elira, social worker",
            "place": "Tirana airport",
            "caregiver": "",
        },
    )


def recording(kind, case_at, data, *, user="worker"):
    def scenario(j):
        case = case_at(j)
        return lambda: case_steps.add_record(getattr(j, user), case, kind, data)

    return scenario


def identified_victim(j):
    case = j.to_referral(until=Stage.IDENTIFICATION)
    j.move(j.worker, case, "presume_victim")
    return case


def sending(j):
    case = j.to_referral()
    return lambda: referrals.send_referral(j.worker, case, j.receiver, ["identity", "health"])


def accepting(j):
    _case, referral = referred(j)
    return lambda: referrals.accept_referral(
        j.receiving_worker,
        referral,
        met_by="Elira, social worker",
        place="Tirana airport",
        meeting_at=timezone.now() + datetime.timedelta(days=20),
    )


def declining(j):
    _case, referral = referred(j)
    return lambda: referrals.decline_referral(j.receiving_worker, referral, "No place now.")


def asking(j):
    _case, referral = referred(j)
    return lambda: referrals.ask_for_information(j.receiving_worker, referral, "Her needs?")


def answering(j):
    _case, referral = referred(j)
    question = j.run(referrals.ask_for_information, j.receiving_worker, referral, "Her needs?")
    return lambda: referrals.answer(j.worker, referral, question, "A doctor, first.")


def cancelling_accepted(j):
    case, referral = referred(j)
    j.accept(referral)
    return lambda: referrals.cancel_referral(j.worker, referral, "The person changed her mind.")


def withdrawing_consent(j):
    case, referral = referred(j)
    j.accept(referral)
    consent = (
        current_consents(case.person).filter(purpose="referral", recipient_organisation=j.receiver)
    ).get()
    return lambda: consent_actions.withdraw_consent(j.worker, case, consent, "")


def reporting_withdrawal(j):
    case, referral = referred(j)
    j.accept(referral)
    return lambda: withdrawal.report_withdrawal(j.receiving_worker, referral, "She said so.")


CASE = "case"
CONSENT = "consent"
REFERRAL = "referral"

# name → (scenario, the transitions it takes: (table, event)), one or more per transition.
STEPS = {
    "presume_victim": (
        case_move("presume_victim", at(Stage.IDENTIFICATION)),
        [(CASE, "presume_victim")],
    ),
    "start_counselling": (
        case_move("start_counselling", at(Stage.FIRST_ASSISTANCE)),
        [(CASE, "start_counselling")],
    ),
    "choose_return": (
        case_move("choose_return", at(Stage.OPTIONS_COUNSELLING)),
        [(CASE, "choose_return")],
    ),
    "choose_to_stay": (case_move("choose_to_stay", chose_to_stay), [(CASE, "choose_to_stay")]),
    "reconsider": (case_move("reconsider", staying), [(CASE, "reconsider")]),
    "decide_go": (case_move("decide_go", at(Stage.PRE_RETURN_ASSESSMENT)), [(CASE, "decide_go")]),
    "decide_no_go": (case_move("decide_no_go", deciding_no_go), [(CASE, "decide_no_go")]),
    "withdraw_referral": (
        case_move("withdraw_referral", waiting_for_answer),
        [(CASE, "withdraw_referral"), (REFERRAL, "cancel")],
    ),
    "refer_again": (
        case_move("refer_again", accepted_then_cancelled),
        [(CASE, "refer_again")],
    ),
    "depart": (departing, [(CASE, "depart"), (REFERRAL, "start")]),
    "confirm_reception": (confirming_reception, [(CASE, "confirm_reception")]),
    "agree_plan": (
        case_move("agree_plan", planned, user="receiving_worker"),
        [(CASE, "agree_plan")],
    ),
    "close_after_the_return": (closing(monitored), [(CASE, "close"), (REFERRAL, "complete")]),
    "close_with_a_referral_unanswered": (
        closing(waiting_for_answer),
        [(CASE, "close"), (REFERRAL, "cancel")],
    ),
    "reopen": (
        case_move("reopen", closed, reason="She asked for help again."),
        [(CASE, "reopen")],
    ),
    "record_reflection_period": (
        recording("reflection_period", identified_victim, {"starts_on": today()}),
        [(CASE, "reflection_period")],
    ),
    "record_reintegration_plan": (
        recording(
            "reintegration_plan",
            reintegrating,
            {"agreed_on": today(), "goals": "A job."},
            user="receiving_worker",
        ),
        [(CASE, "reintegration_plan")],
    ),
    "record_monitoring_contact": (
        recording(
            "monitoring_contact",
            monitored,
            {"contacted_on": today(), "situation": "Safe.", **ALL_SCORES_3},
            user="receiving_worker",
        ),
        [(CASE, "monitoring_contact")],
    ),
    "send": (sending, [(REFERRAL, "send"), (REFERRAL, "deliver")]),
    "accept": (accepting, [(REFERRAL, "accept"), (CASE, "referral_accepted")]),
    "decline": (declining, [(REFERRAL, "decline")]),
    "ask": (asking, [(REFERRAL, "ask")]),
    "answer": (answering, [(REFERRAL, "answer")]),
    "cancel": (cancelling_accepted, [(REFERRAL, "cancel")]),
    "report_withdrawal": (reporting_withdrawal, [(REFERRAL, "cancel")]),
    "withdraw_consent": (withdrawing_consent, [(CONSENT, "withdraw"), (REFERRAL, "cancel")]),
}


def table_effects(table: str, event: str) -> tuple[str, ...]:
    if table == CONSENT:
        return consent_actions.WITHDRAWAL_EFFECTS
    if table == REFERRAL:
        return referral_workflow.EVENTS[event].effects
    if event in case_workflow.EVENTS:
        return case_workflow.EVENTS[event].effects
    return case_workflow.RECORD_EFFECTS[event]


def test_every_transition_and_record_with_effects_has_a_step_here():
    taken = {transition for _scenario, transitions in STEPS.values() for transition in transitions}
    wanted = {(CASE, t.event) for t in case_workflow.TRANSITIONS}
    wanted |= {(CASE, kind) for kind in case_workflow.RECORD_EFFECTS}
    wanted |= {(REFERRAL, t.event) for t in referral_workflow.TRANSITIONS}
    assert wanted - taken == set()


def test_every_effect_the_tables_name_is_a_function():
    paths = [path for t in case_workflow.TRANSITIONS for path in t.effects]
    paths += [path for named in case_workflow.RECORD_EFFECTS.values() for path in named]
    paths += [*case_workflow.EVERY_RECORD_EFFECTS, *case_workflow.EVERY_STEP_EFFECTS]
    paths += [path for t in referral_workflow.TRANSITIONS for path in t.effects]
    paths += consent_actions.WITHDRAWAL_EFFECTS
    paths += [*case_workflow.DOCUMENT_EFFECTS, *access_actions.BREAK_GLASS_EFFECTS]
    paths += erasure.ERASURE_EFFECTS
    assert effects.check(paths) == []


@pytest.mark.parametrize("name", list(STEPS))
def test_a_step_that_fails_anywhere_leaves_nothing(name, personas, monkeypatch):
    scenario, transitions = STEPS[name]
    step = scenario(Journey(personas))
    called, appends = effects_called(step)
    for table, event in transitions:
        missing = set(table_effects(table, event)) - set(called)
        assert not missing, f"{name}: the step did not reach {sorted(missing)}"
    assert appends, f"{name}: the step audits nothing"
    before = snapshot()
    for failure in [*dict.fromkeys(called), "audit"]:
        with monkeypatch.context() as patched:
            if failure == "audit":
                raising_at_append(appends, patched)  # its last: all else is written by then
            else:
                raising_at(failure, patched)
            with pytest.raises(Injected):
                committed(step)
        assert differences(before, snapshot()) == {}, f"{name}: {failure} failed, rows remain"


def test_after_a_failed_step_the_case_version_the_writer_read_is_still_current(
    personas, monkeypatch
):
    # The case's version is what other writers compare: a failed step leaves it as it was.
    j = Journey(personas)
    case = j.to_referral(until=Stage.OPTIONS_COUNSELLING)
    version = fresh(case).version
    raising_at(f"{case_workflow.DEADLINES}.choice_made", monkeypatch)
    with pytest.raises(Injected):
        committed(case_steps.move, j.worker, case, "choose_return", version=version)
    monkeypatch.undo()
    moved = committed(case_steps.move, j.worker, case, "choose_return", version=version)
    assert moved.stage == Stage.PRE_RETURN_ASSESSMENT
