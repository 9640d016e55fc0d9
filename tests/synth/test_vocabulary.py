"""The synthetic writer appends to the chain without `new_event`: it keeps to the vocabulary too."""

import pytest

from trm.audit.actions import ACTIONS
from trm.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_every_synthetic_event_is_in_the_audit_vocabulary_and_holds_no_typed_text(synthesized):
    synthesized(40, seed=5)
    written = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"trm.case.opened", "trm.referral.sent", "trm.case.moved"} <= written
    assert written - set(ACTIONS) == set()
    assert not AuditEvent.objects.exclude(reason="").exists()
