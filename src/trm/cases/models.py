"""The person and their case. Identifying fields are encrypted under the person's data key."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from trm.access.categories import DataCategory
from trm.crypto.blind_index import blind_index
from trm.crypto.envelope import new_data_key
from trm.crypto.fields import (
    EncryptedBinaryField,
    EncryptedDateField,
    EncryptedJSONField,
    EncryptedTextField,
)

from .age import validate_birth_date, validate_citizenship
from .record_kinds import RECORD_KINDS, Side
from .stages import ClosureReason, Stage


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Not known")


class Person(models.Model):
    """A data subject: a presumed or identified victim of trafficking."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    data_key = models.OneToOneField(
        "crypto.DataKey", on_delete=models.PROTECT, related_name="person", editable=False
    )
    given_name = EncryptedTextField(_("given name"), blank=False)
    family_name = EncryptedTextField(_("family name"))
    given_name_latin = EncryptedTextField(_("given name in Latin script"))
    family_name_latin = EncryptedTextField(_("family name in Latin script"))
    birth_date = EncryptedDateField(_("birth date"), validators=[validate_birth_date])
    sex = models.CharField(_("sex"), max_length=8, choices=Sex, default=Sex.UNKNOWN)
    citizenship = models.CharField(
        _("citizenship"), max_length=2, blank=True, validators=[validate_citizenship]
    )
    document_number = EncryptedTextField(_("identity document number"))
    contacts = EncryptedJSONField(_("contact details"))
    created_at = models.DateTimeField(auto_now_add=True)
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords()

    # Which data category each personal field belongs to (consent and grants speak of these).
    CATEGORY_OF_FIELD = {
        "given_name": DataCategory.IDENTITY,
        "family_name": DataCategory.IDENTITY,
        "given_name_latin": DataCategory.IDENTITY,
        "family_name_latin": DataCategory.IDENTITY,
        "birth_date": DataCategory.IDENTITY,
        "sex": DataCategory.IDENTITY,
        "citizenship": DataCategory.IDENTITY,
        "document_number": DataCategory.DOCUMENTS,
        "contacts": DataCategory.CONTACT,
    }

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self):
        return f"person {self.id}"

    def save(self, *args, **kwargs):
        if self.data_key_id is None:
            self.data_key = new_data_key()
        super().save(*args, **kwargs)
        if self.erased_at is None:
            NameIndex.rebuild(self)

    @property
    def full_name(self) -> str:
        return " ".join(part for part in [self.given_name, self.family_name] if part)

    @property
    def full_name_latin(self) -> str:
        return " ".join(part for part in [self.given_name_latin, self.family_name_latin] if part)


class NameIndex(models.Model):
    """Blind indexes of a person's names and document number, for exact search in any script."""

    class Kind(models.TextChoices):
        NAME = "name"
        DOCUMENT = "document"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="name_index")
    kind = models.CharField(max_length=8, choices=Kind)
    digest = models.CharField(max_length=32, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "digest"], name="unique_index_entry")
        ]

    def __str__(self):
        return f"{self.kind} index of {self.person_id}"

    @classmethod
    def digests_for(cls, person: Person) -> set[tuple[str, str]]:
        names = set()
        for given, family in [
            (person.given_name, person.family_name),
            (person.given_name_latin, person.family_name_latin),
        ]:
            parts = [part for part in (given, family) if part]
            if parts:
                names.update({" ".join(parts), " ".join(reversed(parts)), *parts})
        entries = {(cls.Kind.NAME, blind_index(name, purpose=cls.Kind.NAME)) for name in names}
        if person.document_number:
            entries.add(
                (cls.Kind.DOCUMENT, blind_index(person.document_number, purpose=cls.Kind.DOCUMENT))
            )
        return entries

    @classmethod
    def rebuild(cls, person: Person) -> None:
        wanted = cls.digests_for(person)
        existing = set(cls.objects.filter(person=person).values_list("kind", "digest"))
        for kind, digest in existing - wanted:
            cls.objects.filter(person=person, kind=kind, digest=digest).delete()
        cls.objects.bulk_create(
            cls(person=person, kind=kind, digest=digest) for kind, digest in wanted - existing
        )

    @classmethod
    def search(cls, text: str, kind: str = Kind.NAME):
        """People whose name (or document number) equals `text` after normalisation."""
        return Person.objects.filter(
            name_index__kind=kind, name_index__digest=blind_index(text, purpose=kind)
        ).distinct()


def new_case_reference(country_code: str) -> str:
    # Random, not sequential: a reference reveals neither counts nor order.
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    token = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"{country_code}-{token[:4]}-{token[4:]}"


class Case(models.Model):
    """One person's journey through the TRM, owned by the organisation that opened it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("case reference"), max_length=20, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    owner = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("owning organisation"),
    )
    case_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("case worker"),
    )
    is_child = models.BooleanField(_("child"), default=False)
    age_uncertain = models.BooleanField(
        _("age uncertain: treated as a child"),
        default=False,
        help_text=_("There is reason to think the person may be under the age of majority."),
    )
    stage = models.CharField(
        _("stage"), max_length=24, choices=Stage, default=Stage.IDENTIFICATION, db_index=True
    )
    # Where a closed case goes back to when it is reopened.
    stage_before_closure = models.CharField(max_length=24, choices=Stage, blank=True)
    closure_reason = models.CharField(
        _("closure reason"), max_length=24, choices=ClosureReason, blank=True
    )
    returned_at = models.DateTimeField(_("departed for the country of origin"), null=True)
    received_at = models.DateTimeField(_("reception confirmed"), null=True)
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_at"]
        indexes = [
            # The case list: an organisation's newest cases first, read without sorting them all.
            models.Index(fields=["owner", "-opened_at"], name="case_owner_newest"),
        ]

    def __str__(self):
        return self.reference

    def save(self, *args, **kwargs):
        if not self.reference:
            self.reference = new_case_reference(self.owner.country.code)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("cases:case", args=[self.pk])

    @property
    def treated_as_child(self) -> bool:
        """Under the age of majority, or age uncertain with reason to think so (domain §5), as
        stored at the last change, for lists; a step asks `age.is_child_on` for its own day."""
        return self.is_child or self.age_uncertain


class StageRecord(models.Model):
    """One filled-in form of the procedure: coded facts in the open, details encrypted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="records")
    kind = models.CharField(_("record"), max_length=40, db_index=True)
    stage = models.CharField(_("stage"), max_length=24, choices=Stage)
    side = models.CharField(max_length=10, choices=Side)
    facts = models.JSONField(default=dict)
    details = EncryptedJSONField(_("details"), key_path="case.person.data_key")
    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    # A revision supersedes the record it corrects; the current records are the others.
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["recorded_at"]
        indexes = [models.Index(fields=["case", "kind"])]

    def __str__(self):
        return f"{self.kind} on {self.case_id}"

    @property
    def record_kind(self):
        return RECORD_KINDS[self.kind]


class ApprovalQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(decided_at__isnull=True)


class Approval(models.Model):
    """A decision that needs a second person: a supervisor of the owning organisation."""

    class Subject(models.TextChoices):
        BEST_INTERESTS = "best_interests_determination", _("Best-interests determination")
        CLOSURE = "closure", _("Closure")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="approvals")
    subject = models.CharField(max_length=32, choices=Subject)
    record = models.ForeignKey(
        StageRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="approvals"
    )
    closure_reason = models.CharField(max_length=24, choices=ClosureReason, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    comment = EncryptedTextField(_("comment"), key_path="case.person.data_key")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True)
    approved = models.BooleanField(null=True)
    used_at = models.DateTimeField(null=True)  # an approved closure, once the case is closed

    objects = ApprovalQuerySet.as_manager()

    class Meta:
        indexes = [
            # Supervisors' pending approvals, among all decided ones.
            models.Index(
                fields=["case"],
                condition=models.Q(decided_at__isnull=True),
                name="pending_approval",
            )
        ]

    def __str__(self):
        return f"{self.subject} approval on {self.case_id}"


class Note(models.Model):
    """A free note on the case, by a member of either side."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    text = EncryptedTextField(_("note"), key_path="case.person.data_key", blank=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-written_at"]

    def __str__(self):
        return f"note on {self.case_id}"


class Attachment(models.Model):
    """A document of the case, encrypted in the database like the rest of the person's data."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    filename = EncryptedTextField(_("file name"), key_path="case.person.data_key", blank=False)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    # What the document is about, as its uploader says (access.policy.documents_seen): a
    # document classed in a category is shared like a field of it; one left unclassed (blank,
    # as every upload before this field was) stays with the organisation that uploaded it.
    category = models.CharField(
        _("data category"), max_length=16, choices=DataCategory, blank=True, default=""
    )
    content = EncryptedBinaryField(key_path="case.person.data_key", blank=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self):
        return f"attachment {self.pk}"
