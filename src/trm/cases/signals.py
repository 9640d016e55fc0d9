"""What the journey announces after a change is committed, for deadlines, referrals and
notifications to act on. Receivers must not change the case through anything but actions."""

from django.dispatch import Signal

# sender=Case; case, transition (workflow.Transition), actor, source stage
case_moved = Signal()
# sender=StageRecord; record, actor
record_added = Signal()
