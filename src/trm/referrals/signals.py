"""What the referrals announce once committed, for deadlines and notifications to act on.

Receivers must not change a referral through anything but `referrals.actions`.
"""

from django.dispatch import Signal

# sender=ReferralMessage; message, referral, actor. Every message delivered, notices included.
message_sent = Signal()
# sender=Referral; referral, source (the state before), actor
state_changed = Signal()
