"""One table of text limits (`lib/limits.py`): the page forms, the API's schemas and the actions
agree, and a text over its limit is refused in every interface, changing nothing."""

import pytest
from pydantic.fields import FieldInfo

from tests.api.conftest import Api
from tests.referrals.journeys import Journey
from trm.api import cases, casework, moves, referrals
from trm.cases.actions import casework as case_actions
from trm.cases.actions import journey
from trm.cases.forms import BreakGlassForm, PersonForm
from trm.cases.models import Approval, Case, Note
from trm.consent.forms import ConsentForm, WithdrawForm
from trm.lib import limits
from trm.lib.errors import DomainError
from trm.referrals import actions
from trm.referrals.models import ReferralMessage
from trm.referrals.views import AcceptForm, ReasonForm, SendForm, TextForm, WithdrawalForm

# (the page's form field, the API's schema field, the limit): each pair is one text.
SAME_TEXT = [
    (AcceptForm, "met_by", referrals.AcceptIn, "met_by", limits.LINE),
    (AcceptForm, "place", referrals.AcceptIn, "place", limits.LINE),
    (ReasonForm, "text", referrals.ReasonIn, "reason", limits.REASON),
    (TextForm, "text", referrals.QuestionIn, "question", limits.MESSAGE),
    (TextForm, "text", referrals.AnswerIn, "text", limits.MESSAGE),
    (SendForm, "message", referrals.ReferralIn, "message", limits.MESSAGE),
    (WithdrawalForm, "note", referrals.WithdrawnIn, "note", limits.REASON),
    (PersonForm, "given_name", cases.PersonIn, "given_name", limits.NAME),
    (PersonForm, "family_name_latin", cases.PersonPatch, "family_name_latin", limits.NAME),
    (PersonForm, "document_number", cases.PersonIn, "document_number", limits.DOCUMENT_NUMBER),
    (ConsentForm, "child_views", casework.ConsentIn, "child_views", limits.MESSAGE),
    (WithdrawForm, "reason", casework.WithdrawIn, "reason", limits.REASON),
    (BreakGlassForm, "reason", moves.MoveIn, "reason", limits.REASON),
    (None, None, casework.NoteIn, "text", limits.NOTE),
    (None, None, moves.ApprovalIn, "comment", limits.REASON),
    (None, None, moves.DecisionIn, "comment", limits.REASON),
]


def schema_max_length(schema, name) -> int:
    field: FieldInfo = schema.model_fields[name]
    found = [c.max_length for c in field.metadata if getattr(c, "max_length", None) is not None]
    return found[0]


@pytest.mark.parametrize(("form", "form_field", "schema", "schema_field", "limit"), SAME_TEXT)
def test_the_page_and_the_api_take_the_same_length_of_text(
    form, form_field, schema, schema_field, limit
):
    assert schema_max_length(schema, schema_field) == limit
    if form is not None:
        fields = form.base_fields if form_field in form.base_fields else form().fields
        assert fields[form_field].max_length == limit


@pytest.fixture
def team(personas):
    return Journey(personas, sending="ES", receiving="MA")


@pytest.mark.django_db
def test_the_actions_refuse_what_no_form_checked(team):
    """The pages post a step's reason, a note and an approval's comment without a form; the
    action is where the limit holds, at the field, changing nothing."""
    case = team.open()
    with pytest.raises(DomainError) as refused:
        case_actions.add_note(team.worker, case, "n" * (limits.NOTE + 1))
    assert list(refused.value.errors) == ["text"]
    assert "10000" in refused.value.errors["text"][0] or "10,000" in refused.value.errors["text"][0]
    case_actions.add_note(team.worker, case, "n" * limits.NOTE)  # exactly the limit is taken
    assert Note.objects.filter(case=case).count() == 1
    with pytest.raises(DomainError) as refused:
        journey.request_approval(
            team.worker, case, Approval.Subject.CLOSURE, closure_reason="lost_contact",
            comment="c" * (limits.REASON + 1),
        )  # fmt: skip
    assert list(refused.value.errors) == ["comment"]
    assert not Approval.objects.filter(case=case).exists()


@pytest.mark.django_db
def test_a_text_over_its_limit_is_refused_on_the_page_and_in_the_api_alike(personas, team):
    case = team.to_referral()
    referral = team.send(case)
    question = team.run(actions.ask_for_information, team.receiving_worker, referral, "Why?")
    too_long = "a" * (limits.MESSAGE + 1)
    # The page's answer form: said on the referral page, nothing sent.
    page = personas.signed_in(team.worker)
    answered = page.post(
        f"/referrals/{referral.pk}/answers/{question.pk}/", {"text": too_long}, follow=True
    )
    assert answered.status_code == 200
    assert "Ensure this value has at most 5000 characters" in answered.text
    # The API: 422, nothing sent.
    api = Api(page)
    refused = api.post(
        f"/api/referrals/{referral.pk}/answers", {"in_reply_to": str(question.pk), "text": too_long}
    )
    assert refused.status_code == 422
    assert not ReferralMessage.objects.filter(in_reply_to=question).exists()
    # The action itself, for a caller that bypassed both.
    with pytest.raises(DomainError) as refused:
        actions.answer(team.worker, referral, question, too_long)
    assert list(refused.value.errors) == ["text"]
    assert Case.objects.get(pk=case.pk).version == case.version
