"""The reader's view of a case: everything one reader may see of it, and nothing else.

Pages, forms, the API, exports and the referral package all render from `case_view`; nothing
else reads stage records for display. Each value carries its data category. What is withheld is
absent: a reader not entitled to a record does not learn its id, its kind or its fields.

The rules, in order:
- the owning organisation's members and emergency readers see the whole case;
- an organisation sees in full what it wrote itself (its records, notes, documents);
- a document classed in a data category is seen like a field of it: by a receiving
  organisation sharing the category, when the owner uploaded it; one left unclassed stays with
  the organisation that uploaded it;
- a receiving organisation sees the owner's records field by field, in the categories of its
  grant, and a narrative field only when the sender included that text in the referral;
- nobody else's records (another receiving organisation's), no one else's notes and no one
  else's unclassed files;
- approvals are the owner's internal decisions; consents shown to a receiving organisation are
  the referral consents naming it; staff names of another organisation are not shown.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from trm.crypto.envelope import DecryptionError

from .categories import ALL_CATEGORIES, DataCategory
from .policy import Action, CaseAccess, Side, documents_seen, kept_by_their_organisation


@dataclass(frozen=True)
class Shown:
    """One value the reader may see, with its label and data category."""

    name: str
    label: object
    value: object
    category: str
    spec: object = None  # the record kind's Field, for display in words


@dataclass(frozen=True)
class RecordShown:
    """A stage record as the reader may see it: only its visible fields."""

    id: object
    kind: str
    label: object
    stage: str
    side: str
    organisation: str
    organisation_id: int
    recorded_by: str  # empty for another organisation's staff
    recorded_at: datetime
    supersedes: object
    fields: tuple = ()
    written_by_reader: bool = False  # by an organisation the reader works for

    @property
    def values(self) -> dict:
        return {shown.name: shown.value for shown in self.fields}


def narrative_key(record_id, name: str) -> str:
    """How an included narrative field is named in a referral and its grant."""
    return f"{record_id}:{name}"


def field_visible(access: CaseAccess, record, spec_or_none, category: str) -> bool:
    """May the reader of `access` see this field of `record` (of a case owned elsewhere)?"""
    if category not in access.categories:
        return False
    if spec_or_none is not None and spec_or_none.narrative:
        return narrative_key(record.pk, spec_or_none.name) in access.texts
    return True


def record_shown(record, access: CaseAccess, owner_id: int) -> RecordShown | None:
    """`record` as the reader sees it, or None when they may see none of it."""
    kind = record.record_kind
    whole = access.sees_whole_case or record.organisation_id in access.organisations
    if not whole and record.organisation_id != owner_id:
        return None  # another receiving organisation's record
    try:
        details = record.details or {}
    except DecryptionError:  # the person was erased: what was encrypted is gone
        details = {}
    values = {**record.facts, **details}
    ordered = [spec.name for spec in kind.fields if spec.name in values]
    ordered += [name for name in values if name not in ordered]  # derived facts last
    fields = []
    for name in ordered:
        spec, category = kind.field(name), kind.category_of(name)
        if whole or field_visible(access, record, spec, category):
            label = spec.label if spec is not None else name
            fields.append(Shown(name, label, values[name], category, spec))
    if not fields:
        return None
    own_staff = access.sees_whole_case or record.organisation_id in access.organisations
    return RecordShown(
        id=record.pk,
        kind=record.kind,
        label=kind.label,
        stage=record.stage,
        side=record.side,
        organisation=record.organisation.name,
        organisation_id=record.organisation_id,
        recorded_by=record.recorded_by.get_username() if own_staff else "",
        recorded_at=record.recorded_at,
        supersedes=record.supersedes_id,
        fields=tuple(fields),
        written_by_reader=record.organisation_id in access.organisations,
    )


def person_shown(person, access: CaseAccess) -> tuple:
    """The person's fields in the categories the reader may see; nothing for an erased person:
    their data key is gone and so is every value."""
    if person.erased_at is not None:
        return ()
    shown = []
    for name, category in person.CATEGORY_OF_FIELD.items():
        if category not in access.categories:
            continue
        model_field = person._meta.get_field(name)
        shown.append(Shown(name, model_field.verbose_name, getattr(person, name), category))
    return tuple(shown)


@dataclass
class CaseView:
    """What one reader may see of one case. Built by `case_view`; read, never written."""

    case: object
    access: CaseAccess

    @cached_property
    def person(self) -> tuple:
        return person_shown(self.case.person, self.access)

    def person_value(self, name: str, default=None):
        return next((shown.value for shown in self.person if shown.name == name), default)

    @cached_property
    def records(self) -> tuple:
        """The current records the reader may see (corrections replace what they correct),
        oldest first."""
        rows = (
            self.case.records.filter(superseded_by__isnull=True)
            .select_related("organisation", "recorded_by")
            .order_by("recorded_at", "pk")
        )
        shown = []
        for record in rows:
            record.case = self.case  # its person's key decrypts the details
            found = record_shown(record, self.access, self.case.owner_id)
            if found is not None:
                shown.append(found)
        return tuple(shown)

    def record(self, record_id) -> RecordShown | None:
        """One current record as the reader sees it, or None."""
        if "records" in self.__dict__:
            return next((r for r in self.records if str(r.id) == str(record_id)), None)
        # Not every record of the case, decrypted, to show one (a case may hold hundreds).
        return self._one(record_id, superseded_by__isnull=True)

    def any_record(self, record_id) -> RecordShown | None:
        """One record, current or corrected since, as the reader sees it, or None."""
        return self._one(record_id)

    def _one(self, record_id, **current) -> RecordShown | None:
        found = (
            self.case.records.filter(pk=record_id, **current)
            .select_related("organisation", "recorded_by")
            .first()
        )
        if found is None:
            return None
        found.case = self.case
        return record_shown(found, self.access, self.case.owner_id)

    @property
    def notes(self):
        return kept_by_their_organisation(
            self.access, self.case.notes.select_related("author", "organisation")
        )

    @property
    def attachments(self):
        return documents_seen(
            self.access,
            self.case,
            self.case.attachments.select_related("uploaded_by", "organisation").defer("content"),
        )

    @property
    def approvals(self):
        """The owner's decisions needing a second person: its own business alone."""
        if not self.access.sees_whole_case:
            return self.case.approvals.none()
        return self.case.approvals.select_related("requested_by", "decided_by", "record")

    @property
    def consents(self):
        """The person's consent records; for a receiving organisation, only the referral
        consents naming it (and their withdrawals)."""
        from trm.consent.models import ConsentRecord, Purpose

        found = ConsentRecord.objects.filter(person_id=self.case.person_id).select_related(
            "recipient_organisation__country", "recipient_country", "recorded_by"
        )
        if self.access.sees_whole_case:
            return found
        return found.filter(
            purpose=Purpose.REFERRAL,
            recipient_organisation_id__in=sorted(self.access.organisations),
        )

    @property
    def referrals(self):
        """The case's referrals; for a receiving organisation, those sent to it."""
        from trm.referrals.models import Referral

        found = Referral.objects.filter(case_id=self.case.pk).select_related("sender", "receiver")
        if self.access.sees_whole_case:
            return found
        return found.filter(receiver_id__in=sorted(self.access.organisations))

    @property
    def referral_messages(self):
        from trm.referrals.models import ReferralMessage

        return ReferralMessage.objects.filter(
            referral__in=self.referrals.values("pk")
        ).select_related("from_organisation", "to_organisation")

    def staff_name(self, user, organisation_id) -> str:
        """A user's name where the reader may know it: staff of their own organisations, or
        anyone for the owner's side."""
        if user is None:
            return ""
        if self.access.sees_whole_case or organisation_id in self.access.organisations:
            return user.get_username()
        return ""

    @property
    def shows_identity(self) -> bool:
        return DataCategory.IDENTITY in self.access.categories and not self.case.person.erased_at


def reads_referral_content(referral, *, sending: bool) -> bool:
    """Does a reader of `referral`'s thread read what it carries, or only its preview? The
    sender always; the receiver while the grant of its acceptance is in force. Before the
    acceptance, and after a cancellation or a withdrawal, the receiver reads the preview."""
    from .models import Grant

    if sending:
        return True
    return (
        referral.grant_id is not None
        and Grant.objects.active().filter(pk=referral.grant_id).exists()
    )


def case_view(case, access: CaseAccess) -> CaseView:
    """The view of `case` for the reader holding `access` (from `access.policy.access_to`)."""
    return CaseView(case=case, access=access)


def owner_access() -> CaseAccess:
    """The access of the owning organisation's case staff: the whole case."""
    return CaseAccess(
        actions=frozenset({Action.VIEW}), categories=ALL_CATEGORIES, side=Side.SENDING
    )


def package_access(categories, texts=()) -> CaseAccess:
    """The access a receiving organisation will hold on acceptance: what a referral carries."""
    return CaseAccess(
        actions=frozenset({Action.VIEW}),
        categories=frozenset(categories),
        side=Side.RECEIVING,
        texts=frozenset(texts),
    )
