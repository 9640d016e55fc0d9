"""Synthetic cases open in the real pages, for the owning side and the receiving side."""

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from trm.access.models import Grant
from trm.accounts.models import User
from trm.cases.models import Case

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    """Synthetic staff have no usable password: sign in as the login would leave them."""
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def test_the_case_worker_opens_their_cases_at_every_stage(synthesized):
    synthesized(120, seed=9)
    # Ordered by the stage itself: with the cases' own ordering (by opening) the DISTINCT
    # would take every case's (stage, opened_at), and walk the 120 cases instead of the stages.
    stages = set(Case.objects.order_by("stage").values_list("stage", flat=True).distinct())
    assert len(stages) >= 8, "the synthesis reaches most stages"
    for stage in sorted(stages):
        case = Case.objects.filter(stage=stage).order_by("reference").first()
        browser = signed_in(User.objects.get(pk=case.case_worker_id))
        assert browser.get(f"/cases/{case.pk}/").status_code == 200, stage
        assert browser.get("/cases/").status_code == 200
        assert browser.get("/").status_code == 200
        browser.logout()


def test_the_receiving_organisation_sees_the_shared_part_of_an_accepted_referral(synthesized):
    synthesized(120, seed=9)
    grant = Grant.objects.select_related("case").order_by("case__reference").first()
    receiver = User.objects.filter(
        memberships__organisation=grant.organisation, memberships__role="case_worker"
    ).first()
    browser = signed_in(receiver)
    assert browser.get(f"/cases/{grant.case_id}/").status_code == 200
    assert browser.get(f"/api/cases/{grant.case_id}").status_code == 200
