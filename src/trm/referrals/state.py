"""Where a case's referral stands, for the workflow's guards and the notices."""

from .models import Referral


def accepted_referral(case) -> Referral | None:
    """The referral an organisation of the country of origin accepted for `case`, if any."""
    return Referral.objects.filter(case_id=case.pk).latest_accepted()


def open_referral(case) -> Referral | None:
    """The referral of `case` still waiting for an answer or under way, if any (at most one)."""
    return Referral.objects.open().filter(case_id=case.pk).select_related("receiver").first()
