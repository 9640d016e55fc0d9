"""The audit vocabulary: every action name the trail may hold, each with its sentence.

One place, as pretix's log display: `new_event` refuses a name not listed here, the audit page
and the person's export render the sentence, and tests/audit/test_vocabulary.py fails on a name
written anywhere in src/ but missing here. A name, once used, stays: old events keep it.
The sentences speak to the person whose case it is as well as to the data protection officer,
so they name what happened to the case, never who the person is.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACTIONS: dict[str, Promise] = {
    # The case and the person
    "trm.case.opened": _("The case was opened"),
    "trm.case.viewed": _("The case was read"),
    "trm.case.listed": _("A list of cases was read"),
    "trm.case.opened_for_edit": _("The case was opened to correct data"),
    "trm.case.records_viewed": _("The case's records were read"),
    "trm.case.consent_viewed": _("The consent records were read"),
    "trm.case.attachment_downloaded": _("An attached document was downloaded"),
    "trm.case.assigned": _("The case was given to a case worker"),
    "trm.case.moved": _("The case moved to another step"),
    "trm.person.updated": _("The person's data was corrected"),
    "trm.person.exported": _("The person's data was exported for them"),
    "trm.person.erased": _("The person's data was erased"),
    "trm.record.added": _("A record was added to the case"),
    "trm.record.corrected": _("A record of the case was corrected"),
    "trm.note.added": _("A note was added to the case"),
    "trm.attachment.added": _("A document was attached to the case"),
    # Approvals
    "trm.approval.requested": _("An approval was asked for"),
    "trm.approval.approved": _("An approval was given"),
    "trm.approval.returned": _("A request for approval was sent back"),
    # Consent and access
    "trm.consent.recorded": _("A consent was recorded"),
    "trm.consent.withdrawn": _("A consent was withdrawn"),
    "trm.access.granted": _("Access was given to an organisation"),
    "trm.access.revoked": _("Access was taken back"),
    "trm.access.break_glass": _("The case was opened in an emergency"),
    # Referrals
    "trm.referral.sent": _("A referral was sent"),
    "trm.referral.received": _("A referral was received"),
    "trm.referral.read": _("A referral was read"),
    "trm.referral.accepted": _("A referral was accepted"),
    "trm.referral.declined": _("A referral was declined"),
    "trm.referral.information_requested": _("More information was asked for on a referral"),
    "trm.referral.answered": _("A question on a referral was answered"),
    "trm.referral.cancelled": _("A referral was cancelled"),
    "trm.referral.notice_sent": _("A notice about a referral was sent"),
    "trm.referral.package_received": _("The shared part of a referred case arrived from its node"),
    "trm.referral.refused_by_peer": _("The receiving node refused a message about a referral"),
    "trm.referral.copy_destroyed": _("The receiving node destroyed its copy of a referred case"),
    # Between nodes
    "trm.peer.added": _("A peer node was added"),
    "trm.peer.removed": _("A peer node was removed"),
    "trm.node.keys_rotated": _("This node's keys were rotated"),
    "trm.peer.keys_rotated": _("A peer node's new keys were pinned"),
    "trm.peer.rotation_refused": _("A peer node's key rotation was refused"),
    "trm.directory.copied": _("A peer node's directory was copied"),
    "trm.envelope.queued": _("A message to a peer node was queued"),
    "trm.envelope.delivered": _("A message was delivered to a peer node"),
    "trm.envelope.refused_by_peer": _("A peer node refused a message"),
    "trm.envelope.received": _("A message from a peer node was received"),
    "trm.envelope.retried": _("A message to a peer node was queued again by an operator"),
    "trm.envelope.asked_again": _(
        "A peer node held a message waiting for earlier ones, which were sent again"
    ),
    "trm.envelope.undelivered": _(
        "The administrators and focal points were told a message to a peer node is undelivered"
    ),
    # Deadlines
    "trm.deadline.reminded": _("A reminder of a deadline was sent"),
    "trm.deadline.escalated": _("A missed deadline was reported to a supervisor"),
    # Keeping data no longer than needed
    "trm.retention.reported": _("Cases due for erasure were reported"),
    "trm.retention.carried_out": _("Cases past their retention period were erased"),
    # Accounts and the trail itself
    "trm.api_token.created": _("An access key for the API was made"),
    "trm.api_token.revoked": _("An access key for the API was revoked"),
    "trm.audit.viewed": _("The audit trail was read"),
}


def is_catalogued(action: str) -> bool:
    return action in ACTIONS


def sentence(action: str) -> str:
    """The translated sentence for `action`; the name itself for one this release does not know
    (an older node's event), so nothing is hidden."""
    described = ACTIONS.get(action)
    return str(described) if described else action
