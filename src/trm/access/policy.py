"""The one access policy: who may see and do what on a case, and which of its data.

Three ways to a case:
- membership of the owning organisation with a case role: the whole case, per the role;
- an active grant (an accepted referral, an assignment) to the user or to an organisation they
  hold a case role in: only the grant's data categories;
- a supervisor's break-the-glass access, time-limited: the whole case, read only.
Coordinators never see a person. Every list goes through `visible_cases_filter`, every object
check through `access_to`; a property-based test proves the two agree.
"""

from dataclasses import dataclass, field

from django.db.models import Q, TextChoices
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trm.accounts.models import Role
from trm.cases.models import Case

from .categories import ALL_CATEGORIES
from .models import BreakGlass, Grant


class Action(TextChoices):
    VIEW = "view", _("see the case")
    EDIT = "edit", _("record and change case data")
    ASSIGN = "assign", _("assign the case")
    EXPORT = "export", _("export the person's data")
    ERASE = "erase", _("erase the person's data")
    BREAK_GLASS = "break_glass", _("open the case in an emergency")


ROLE_ACTIONS = {
    Role.CASE_WORKER: {Action.VIEW, Action.EDIT},
    Role.FOCAL_POINT: {Action.VIEW, Action.EDIT},
    Role.SUPERVISOR: {Action.VIEW, Action.EDIT, Action.ASSIGN},
    Role.DATA_PROTECTION_OFFICER: {Action.VIEW, Action.EXPORT, Action.ERASE},
}
CASE_ROLES = frozenset(ROLE_ACTIONS)
OPENING_ROLES = frozenset({Role.CASE_WORKER, Role.SUPERVISOR, Role.FOCAL_POINT})
# A grant lets the receiving organisation's case staff work their part of the journey; its data
# protection officer reads, and never writes case data (domain.md §6).
GRANT_ACTIONS = frozenset({Action.VIEW, Action.EDIT})
GRANT_READING_ROLES = frozenset({Role.DATA_PROTECTION_OFFICER})
BREAK_GLASS_ACTIONS = frozenset({Action.VIEW})
BREAK_GLASS_HOURS = 4


class Side(TextChoices):
    """Where a reader stands on a case: the owner's side, the side it was referred to, or
    an emergency reader from outside."""

    SENDING = "sending", _("sending side")
    RECEIVING = "receiving", _("receiving side")
    EMERGENCY = "emergency", _("emergency access")


@dataclass(frozen=True)
class CaseAccess:
    """What a user may do on one case, which data categories they may see, and from where.

    `organisation_id` and `roles`: the organisation the user acts for on this case and their
    roles there; `organisations`: every organisation they hold a case role in (what those wrote
    they see in full); `texts`: the narrative fields ("record id:field") the sender included
    in an accepted referral."""

    actions: frozenset = frozenset()
    categories: frozenset = frozenset()
    via: tuple = field(default=())
    side: str = ""
    organisation_id: int | None = None
    roles: frozenset = frozenset()
    organisations: frozenset = frozenset()
    texts: frozenset = frozenset()

    def allows(self, action: str, category: str | None = None) -> bool:
        return action in self.actions and (category is None or category in self.categories)

    @property
    def is_emergency(self) -> bool:
        """Seen only through break-the-glass access."""
        return self.side == Side.EMERGENCY

    @property
    def sees_whole_case(self) -> bool:
        """The owner's members and emergency readers see every category and every text."""
        return self.side in (Side.SENDING, Side.EMERGENCY)

    def __bool__(self):
        return Action.VIEW in self.actions


def _case_role_organisations(user) -> dict[int, set[str]]:
    """{organisation id: the user's case roles there}, from active memberships."""
    organisations: dict[int, set[str]] = {}
    if user.is_authenticated and user.is_active:
        for organisation_id, role in user.memberships.filter(
            is_active=True, role__in=CASE_ROLES
        ).values_list("organisation_id", "role"):
            organisations.setdefault(organisation_id, set()).add(role)
    return organisations


def _supervised_countries(organisations: dict[int, set[str]]) -> set[int]:
    """Countries in which the user supervises: where they may break the glass."""
    from trm.directory.models import Organisation

    supervised = [pk for pk, roles in organisations.items() if Role.SUPERVISOR in roles]
    if not supervised:
        return set()
    return set(Organisation.objects.filter(pk__in=supervised).values_list("country_id", flat=True))


def visible_cases(user, at=None):
    """The cases `user` may see at all; what of each they may see is `access_to`'s."""
    return Case.objects.filter(visible_cases_filter(user, at))


def visible_cases_filter(user, at=None) -> Q:
    """A filter on Case for every case the user may see in any part."""
    at = at or timezone.now()
    if not (user.is_authenticated and user.is_active):
        return Q(pk__in=[])
    organisations = _case_role_organisations(user)
    condition = Q(owner_id__in=list(organisations))
    grants = Grant.objects.active(at).filter(
        Q(user_id=user.pk) | Q(organisation_id__in=list(organisations))
    )
    # The granted ids are read first: an OR with a subquery makes PostgreSQL scan every case,
    # an OR of two id lists uses the owner and primary-key indexes (benchmarks/README.md).
    granted = list(grants.values_list("case_id", flat=True))
    if granted:
        condition |= Q(pk__in=granted)
    countries = _supervised_countries(organisations)
    if countries:
        # Emergency access lasts only while its holder still supervises in that country.
        emergency = list(BreakGlass.objects.active(at).filter(user_id=user.pk).values_list(
            "case_id", flat=True
        ))  # fmt: skip
        if emergency:
            condition |= Q(pk__in=emergency, owner__country_id__in=countries)
    return condition


def access_to(user, case, at=None) -> CaseAccess:
    """Everything `user` may do on `case` now; empty (falsy) when they may not see it."""
    at = at or timezone.now()
    if case is None or not (user.is_authenticated and user.is_active):
        return CaseAccess()
    organisations = _case_role_organisations(user)
    actions, categories, via, texts = set(), set(), [], set()
    side, acting_for, roles = "", None, frozenset()
    for role in sorted(organisations.get(case.owner_id, ())):
        actions |= ROLE_ACTIONS[role]
        categories |= ALL_CATEGORIES
        via.append(f"membership:{role}")
    if via:
        side, acting_for, roles = (
            Side.SENDING,
            case.owner_id,
            frozenset(organisations[case.owner_id]),
        )
    grants = (
        Grant.objects.active(at)
        .filter(case_id=case.pk)
        .filter(Q(user_id=user.pk) | Q(organisation_id__in=list(organisations)))
        .order_by("granted_at")
    )
    for grant in grants:
        holder_roles = (
            frozenset(organisations.get(grant.organisation_id, ()))
            if grant.organisation_id
            else frozenset({Role.CASE_WORKER})
        )
        if holder_roles - GRANT_READING_ROLES:
            actions |= GRANT_ACTIONS
        else:
            actions.add(Action.VIEW)
        categories |= set(grant.categories) & ALL_CATEGORIES
        texts |= set(grant.texts)
        via.append(f"grant:{grant.pk}")
        if not side:
            side, acting_for, roles = Side.RECEIVING, grant.organisation_id, holder_roles
    if case.owner_id not in organisations and case.owner.country_id in _supervised_countries(
        organisations
    ):
        actions.add(Action.BREAK_GLASS)
        if BreakGlass.objects.active(at).filter(user_id=user.pk, case_id=case.pk).exists():
            actions |= BREAK_GLASS_ACTIONS
            categories |= ALL_CATEGORIES
            via.append("break_glass")
            side = Side.EMERGENCY
    return CaseAccess(
        frozenset(actions),
        frozenset(categories),
        tuple(via),
        side=side,
        organisation_id=acting_for,
        roles=roles,
        organisations=frozenset(organisations),
        texts=frozenset(texts),
    )


def still_holds(access: CaseAccess, case) -> bool:
    """Whether `access`, decided on `case` before a step locked its row, still holds now that
    the step holds it (a write decides who acts before it takes the case, to hold the case's
    lock for less time). What takes access away from a case locks it first (a referral's
    grant revoked, consent withdrawn), so the grants it came through are read again; the
    user's memberships are ordered by no case's lock and read before or after it alike.
    Break-the-glass access runs out by the clock: decided again."""
    if "break_glass" in access.via:
        return False
    grants = [int(via.split(":", 1)[1]) for via in access.via if via.startswith("grant:")]
    if not grants:
        return True
    return Grant.objects.active().filter(case_id=case.pk, pk__in=grants).count() == len(grants)


def kept_by_their_organisation(access: CaseAccess, items):
    """Of a case's notes or unclassed documents (`items`: a queryset of rows with an
    `organisation`), those the holder of `access` may see (documents: `documents_seen`).

    Free text and unclassed files may hold any category of data and nothing says which, so no
    consent or grant can share them across organisations: each stays with the organisation that
    wrote it.
    What a receiving organisation is to know travels in the referral. Emergency access (break
    the glass) sees them all."""
    if access.is_emergency:
        return items
    return items.filter(organisation_id__in=sorted(access.organisations))


def documents_seen(access: CaseAccess, case, documents):
    """Of `case`'s documents (a queryset of attachments), those the holder of `access` may see:
    those its organisations uploaded, and those their uploader classed in a data category it
    may see, the owner's for a receiving organisation (another receiver's are not its to
    read). A document left unclassed stays with its organisation (`kept_by_their_organisation`).
    Emergency access sees them all."""
    if access.is_emergency:
        return documents
    classed = Q(category__in=sorted(access.categories)) & ~Q(category="")
    if not access.sees_whole_case:
        classed &= Q(organisation_id=case.owner_id)
    return documents.filter(Q(organisation_id__in=sorted(access.organisations)) | classed)


def categories_by_case(user, case_ids, at=None) -> dict:
    """{case id: categories the user may see} for many cases in two queries (for lists)."""
    at = at or timezone.now()
    organisations = _case_role_organisations(user)
    found = {
        case_id: set(ALL_CATEGORIES)
        for case_id in Case.objects.filter(
            pk__in=case_ids, owner_id__in=list(organisations)
        ).values_list("pk", flat=True)
    }
    grants = (
        Grant.objects.active(at)
        .filter(case_id__in=case_ids)
        .filter(Q(user_id=user.pk) | Q(organisation_id__in=list(organisations)))
    )
    for case_id, categories in grants.values_list("case_id", "categories"):
        found.setdefault(case_id, set()).update(set(categories) & ALL_CATEGORIES)
    for case_id in (
        BreakGlass.objects.active(at)
        .filter(user_id=user.pk, case_id__in=case_ids)
        .values_list("case_id", flat=True)
    ):
        found[case_id] = set(ALL_CATEGORIES)
    return {case_id: frozenset(categories) for case_id, categories in found.items()}


def may_open_cases(user, organisation) -> bool:
    roles = _case_role_organisations(user).get(organisation.pk, set())
    return bool(roles & OPENING_ROLES)


def can(user, action: str, case, category: str | None = None) -> bool:
    return access_to(user, case).allows(action, category)
