"""Cases walked along the real journey, for any test that needs one (see trm.demo_journeys).

    journey = Journey(personas)                  # IOM Spain refers to IOM Albania
    case = journey.to_referral(child=True)       # identification … go decision, consent recorded
    referral = journey.send(case)
    journey.accept(referral)                     # the case is at return preparation
    journey.depart(case); journey.confirm_reception(case)
    journey.agree_plan(case); journey.monitor(case); journey.close(case)

Every step runs as if its transaction committed (`committed`), so the announcements the journey
makes on commit (notices, deadlines) happen as they would in production.
"""

import itertools

from django.test import TestCase

from trm.accounts.models import Role
from trm.deadlines.outbox import deliver
from trm.demo_journeys import ALL_SCORES_3, USUAL_CONSENT, ScriptedJourney, fresh, today

__all__ = ["ALL_SCORES_3", "USUAL_CONSENT", "Journey", "committed", "fresh", "today"]

_usernames = itertools.count(1)


def committed(action, *args, **kwargs):
    """Run an action as if its transaction committed: its on-commit announcements run too, and
    the worker then delivers the e-mails it wrote into the outbox."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        result = action(*args, **kwargs)
    deliver()
    return result


class Journey(ScriptedJourney):
    """New staff of a sending and a receiving organisation (from the seed directory)."""

    def __init__(self, personas, *, sending="ES", receiving="AL", receiver=None):
        self.personas = personas
        sender = personas.organisation(sending)
        receiver = receiver or personas.organisation(receiving)
        super().__init__(
            sender,
            receiver,
            self.staff(sender, Role.CASE_WORKER),
            self.staff(sender, Role.SUPERVISOR),
            self.staff(receiver, Role.CASE_WORKER),
        )
        self.second_supervisor = self.staff(sender, Role.SUPERVISOR)

    def staff(self, organisation, role):
        """A new member of `organisation` with `role`."""
        user = self.personas.user(
            f"{organisation.country.code.lower()}.{role}.{next(_usernames)}",
            organisation.country.code,
            role,
        )
        user.memberships.update(organisation=organisation)
        return user

    def run(self, action, *args, **kwargs):
        return committed(action, *args, **kwargs)
