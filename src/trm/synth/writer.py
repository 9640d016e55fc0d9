"""Writing planned cases as rows: one transaction per batch, bulk inserts, encryption on.

Values go through the same functions the models use: each model field prepares its own value
for the database (`get_db_prep_save`); personal fields are encrypted with the field's own
`serialise` and `context_for` and `envelope.encrypt` under the person's data key, wrapped by
`envelope.wrap`; the blind indexes come from `NameIndex.digests_for` and `blind_index`; audit
events get their hashes from `event_hash`, in sequence, so `trm audit verify` walks the
synthetic chain like any other. What is skipped is the ORM's per-object work (model instances,
per-row SQL compilation): it costs far more than the database for rows this simple.
"""

import os
from types import SimpleNamespace

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

from trm.access.models import Grant
from trm.audit.log import lock_chain, move_head
from trm.audit.models import HASHED_FIELDS, AuditEvent, event_hash
from trm.cases.models import Approval, Case, NameIndex, Person, StageRecord
from trm.consent.models import ConsentRecord
from trm.crypto import envelope
from trm.crypto.keyring import KEY_BYTES, chain_key
from trm.crypto.models import DataKey
from trm.deadlines.models import Deadline
from trm.referrals.models import Referral, ReferralMessage

from .plans import GrantRef, PlannedCase

INSERT_BATCH = 2000
CASE_LABEL = Case._meta.label_lower
PERSONAL_FIELDS = ("given_name", "family_name", "given_name_latin", "family_name_latin",
                   "birth_date", "document_number", "contacts")  # fmt: skip
# The history models, looked up once: `Model.history` builds a manager on every access.
HISTORY_MODELS = {model: model.history.model for model in (Person, Case, StageRecord)}
DEADLINE_ORGANISATIONS = Deadline.organisations.through


def seal(model, name: str, value, key: bytes, row_id) -> bytes | None:
    """The ciphertext `model.name` holds for `value` in row `row_id`, as the field writes it."""
    if value is None:
        return None
    field = model._meta.get_field(name)
    context = field.context_for(SimpleNamespace(id=row_id))
    return envelope.encrypt(field.serialise(value), key, context)


def insert_rows(model, rows: list[dict]) -> None:
    """INSERT rows given as {attname: value} (COPY on PostgreSQL), each value prepared by its
    model field; fields left out take their default. Database-generated keys are not read back."""
    connection = connections[DEFAULT_DB_ALIAS]  # the connection itself, not its proxy
    fields = [
        field
        for field in model._meta.concrete_fields
        if not (field.primary_key and isinstance(field, models.AutoField | models.BigAutoField))
    ]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608 (names from the model)
    prepared = [
        [
            field.get_db_prep_save(
                row[field.attname] if field.attname in row else field.get_default(), connection
            )
            for field in fields
        ]
        for row in rows
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: one stream for the whole batch instead of a statement per row.
            copy_sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:
                for row in prepared:
                    copy.write_row(row)
            return
        for start in range(0, len(prepared), INSERT_BATCH):
            cursor.executemany(sql, prepared[start : start + INSERT_BATCH])


def history_row(values: dict, at, user_id, history_type: str = "+", **changes) -> dict:
    """A django-simple-history row of a row as it was at `at` (ciphertext copied as it is)."""
    return {
        **values,
        **changes,
        "history_date": at,
        "history_type": history_type,
        "history_user_id": user_id,
        "history_change_reason": None,
    }


class BatchRows:
    """The rows of one batch, by model."""

    def __init__(self):
        self.rows: dict[type, list[dict]] = {}

    def add(self, model, **values) -> dict:
        self.rows.setdefault(model, []).append(values)
        return values

    def insert(self, *models_in_order) -> None:
        for model in models_in_order:
            rows = self.rows.pop(model, [])
            if rows:
                insert_rows(model, rows)


class Writer:
    """Writes batches of planned cases; keeps nothing between batches but the usernames."""

    def __init__(self, usernames: dict[int, str]):
        self.usernames = usernames

    @transaction.atomic
    def write(self, plans: list[PlannedCase]) -> int:
        """Insert the batch and its audit events; returns the number of events written."""
        rows, keys = BatchRows(), {}
        for plan in plans:
            keys[plan.id] = self._case_rows(plan, rows)
        rows.insert(DataKey, Person, NameIndex, HISTORY_MODELS[Person], Case,
                    HISTORY_MODELS[Case], StageRecord, HISTORY_MODELS[StageRecord], Approval,
                    ConsentRecord)  # fmt: skip
        self._grants(plans)
        for plan in plans:
            self._referral_rows(plan, rows, keys[plan.id])
        rows.insert(Referral, ReferralMessage, Deadline, DEADLINE_ORGANISATIONS)
        return self._audit(plans)

    def _case_rows(self, plan: PlannedCase, rows: BatchRows) -> bytes:
        """The rows of the person and the case; returns the person's plain data key."""
        opened, worker = plan.opened_at, plan.case_worker
        key = os.urandom(KEY_BYTES)
        data_key = DataKey(id=plan.data_key_id)
        envelope.wrap(data_key, key)
        rows.add(
            DataKey,
            id=data_key.id,
            purpose=DataKey.Purpose.PERSON,
            kek_id=data_key.kek_id,
            wrapped=data_key.wrapped,
            created_at=opened,
            destroyed_at=None,
        )
        plain = plan.person.fields()
        person = rows.add(
            Person,
            id=plan.person_id,
            data_key_id=data_key.id,
            sex=plan.person.sex,
            citizenship=plan.person.nationality,
            created_at=opened,
            erased_at=None,
            **{name: seal(Person, name, plain[name], key, plan.person_id)
               for name in PERSONAL_FIELDS},
        )  # fmt: skip
        rows.add(HISTORY_MODELS[Person], **history_row(person, opened, worker))
        for kind, digest in NameIndex.digests_for(SimpleNamespace(**plain)):
            rows.add(NameIndex, person_id=plan.person_id, kind=kind, digest=digest)
        case = rows.add(
            Case,
            id=plan.id,
            reference=plan.reference,
            person_id=plan.person_id,
            owner_id=plan.owner,
            case_worker_id=worker,
            is_child=plan.is_child,
            age_uncertain=plan.age_uncertain,
            stage=plan.stage,
            stage_before_closure=plan.stage_before_closure,
            closure_reason=plan.closure_reason,
            returned_at=plan.returned_at,
            received_at=plan.received_at,
            opened_at=opened,
            closed_at=plan.closed_at,
            version=plan.version,
        )
        rows.add(
            HISTORY_MODELS[Case],
            **history_row(case, opened, worker, stage="identification", version=1,
                          stage_before_closure="", closure_reason="", returned_at=None,
                          received_at=None, closed_at=None),
        )  # fmt: skip
        if plan.last_change is not None:
            rows.add(
                HISTORY_MODELS[Case], **history_row(case, plan.last_change, plan.last_actor, "~")
            )
        for planned in plan.records:
            record = rows.add(
                StageRecord,
                id=planned.id,
                case_id=plan.id,
                kind=planned.kind,
                stage=planned.stage,
                side=planned.side,
                facts=planned.facts,
                details=seal(StageRecord, "details", planned.details, key, planned.id),
                organisation_id=planned.organisation,
                recorded_by_id=planned.user,
                recorded_at=planned.at,
                supersedes_id=planned.supersedes,
            )
            rows.add(HISTORY_MODELS[StageRecord], **history_row(record, planned.at, planned.user))
        for planned in plan.approvals:
            rows.add(
                Approval,
                id=planned.id,
                case_id=plan.id,
                subject=planned.subject,
                record_id=planned.record,
                closure_reason=planned.closure_reason,
                requested_by_id=planned.requested_by,
                requested_at=planned.requested_at,
                comment=None,
                decided_by_id=planned.decided_by,
                decided_at=planned.decided_at,
                approved=planned.approved,
                used_at=planned.used_at,
            )
        for planned in plan.consents:
            rows.add(
                ConsentRecord,
                id=planned.id,
                person_id=plan.person_id,
                case_id=plan.id,
                given=True,
                withdraws_id=None,
                purpose=planned.purpose,
                categories=planned.categories,
                recipient_organisation_id=planned.recipient_organisation,
                recipient_country_id=planned.recipient_country,
                language=planned.language,
                interpreter_present=planned.interpreter_present,
                recorded_by_id=planned.recorded_by,
                recorded_at=planned.at,
                expires_at=None,
                guardian_consent=planned.guardian_consent,
                child_views=seal(ConsentRecord, "child_views", planned.child_views, key,
                                 planned.id),
                reason=None,
            )  # fmt: skip
        return key

    def _grants(self, plans: list[PlannedCase]) -> None:
        """Insert the grants and learn their keys: referrals and audit events name them."""
        granted = {plan.id: plan.grants[0] for plan in plans if plan.grants}
        if not granted:
            return
        insert_rows(
            Grant,
            [
                {
                    "case_id": case_id,
                    "organisation_id": grant.organisation,
                    "user_id": None,
                    "categories": grant.categories,
                    "source": Grant.Source.REFERRAL,
                    "granted_by_id": grant.granted_by,
                    "granted_at": grant.at,
                    "expires_at": None,
                    "revoked_at": grant.revoked_at,
                }
                for case_id, grant in granted.items()
            ],
        )
        # One accepted referral, so one grant, per synthetic case: the case finds its key.
        for pk, case_id in Grant.objects.filter(case_id__in=list(granted)).values_list(
            "pk", "case_id"
        ):
            granted[case_id].pk = pk

    def _referral_rows(self, plan: PlannedCase, rows: BatchRows, key: bytes) -> None:
        for planned in plan.referrals:
            rows.add(
                Referral,
                id=planned.id,
                case_id=plan.id,
                sender_id=planned.sender,
                receiver_id=planned.receiver,
                categories=planned.categories,
                state=planned.state,
                sent_at=planned.sent_at,
                response_due_at=planned.response_due_at,
                decided_at=planned.decided_at,
                grant_id=planned.grant.pk if planned.grant else None,
            )
            for sent in planned.messages:
                rows.add(
                    ReferralMessage,
                    id=sent.id,
                    referral_id=planned.id,
                    kind=sent.kind,
                    from_organisation_id=sent.from_organisation,
                    to_organisation_id=sent.to_organisation,
                    payload=seal(ReferralMessage, "payload", sent.payload, key, sent.id),
                    sent_by_id=sent.sent_by,
                    sent_at=sent.at,
                    received_at=sent.at,  # both organisations are on this node
                    in_reply_to_id=sent.in_reply_to,
                )
        for planned in plan.deadlines:
            rows.add(
                Deadline,
                id=planned.id,
                case_id=plan.id,
                referral_id=planned.referral,
                kind=planned.kind,
                sequence=planned.sequence,
                country_id=planned.country,
                starts_at=planned.starts_at,
                due_at=planned.due_at,
                remind_at=planned.remind_at,
                opened_at=planned.opened_at,
                reminded_at=planned.reminded_at,
                escalated_at=planned.escalated_at,
                met_at=planned.met_at,
                met_by_id=planned.met_by,
                cancelled_at=planned.cancelled_at,
                cancel_reason=planned.cancel_reason,
            )
            for organisation in dict.fromkeys(planned.organisations):
                rows.add(
                    DEADLINE_ORGANISATIONS, deadline_id=planned.id, organisation_id=organisation
                )

    def _audit(self, plans: list[PlannedCase]) -> int:
        """Append the batch's events to the chain, in order, holding the chain's head."""
        head = lock_chain()
        sequence, previous = head.sequence, head.hash
        key = chain_key()
        events = []
        for plan in plans:
            object_id = str(plan.id)
            for planned in plan.events:
                sequence += 1
                event = {
                    "sequence": sequence,
                    "occurred_at": planned.at,
                    "actor_id": planned.actor,
                    "actor_username": self.usernames.get(planned.actor, ""),
                    "organisation_id": planned.organisation,
                    "action": planned.action,
                    "object_type": CASE_LABEL,
                    "object_id": object_id,
                    "reason": planned.reason,
                    "details": {
                        name: value.resolve() if isinstance(value, GrantRef) else value
                        for name, value in planned.details.items()
                    },
                    "previous_hash": previous,
                }
                event["hash"] = previous = event_hash(
                    previous, {name: event[name] for name in HASHED_FIELDS}, key=key
                )
                events.append(event)
        insert_rows(AuditEvent, events)
        move_head(sequence, previous, key=key)
        return len(events)
