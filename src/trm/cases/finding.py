"""Finding cases: the list's filters and its searches, for the pages and the API alike.

Filters are not personal data. Searches by name or document number are exact, through the
blind index, and only among the cases where the searcher may see that part of the person: a
search must not confirm a name the searcher may not read.
"""

from django.db.models import Q
from django.utils import timezone

from trm.access.categories import DataCategory
from trm.access.policy import categories_by_case

from .models import Case, NameIndex

CHILD = Q(is_child=True) | Q(age_uncertain=True)


def filtered(
    cases,
    user,
    *,
    stage=None,
    country=None,
    child: bool | None = None,
    mine: bool = False,
    overdue: bool | None = None,
    reference: str | None = None,
):
    """`cases` narrowed by the list's filters (None or False: that filter is not applied)."""
    if stage:
        cases = cases.filter(stage=stage)
    if country:
        cases = cases.filter(owner__country=country)
    if child is not None:
        cases = cases.filter(CHILD if child else ~CHILD)
    if mine:
        cases = cases.filter(case_worker=user)
    if overdue is not None:
        # Through the cases' own relation (a deadline neither met nor cancelled, its time
        # passed): the deadlines app reads cases, so cases do not import it.
        late = Q(
            pk__in=Case.objects.filter(
                deadlines__due_at__lt=timezone.now(),
                deadlines__met_at__isnull=True,
                deadlines__cancelled_at__isnull=True,
            ).values("pk")
        )
        cases = cases.filter(late if overdue else ~late)
    if reference:
        cases = cases.filter(reference__iexact=reference)
    return cases


SEARCHED_CATEGORY = {
    NameIndex.Kind.NAME: DataCategory.IDENTITY,
    NameIndex.Kind.DOCUMENT: DataCategory.DOCUMENTS,
}


def with_person(cases, user, text: str, kind: str = NameIndex.Kind.NAME):
    """The cases whose person's name (or document number) is `text`, exactly and in any
    script, among those where `user` may see that category."""
    found = list(cases.filter(person__in=NameIndex.search(text, kind)).values_list("pk", flat=True))
    seen = categories_by_case(user, found)
    category = SEARCHED_CATEGORY[kind]
    return cases.filter(pk__in=[pk for pk in found if category in seen.get(pk, ())])


def by_reference_or_name(cases, user, text: str):
    """The case whose reference is `text`, or else those whose person is named `text`."""
    by_reference = cases.filter(reference__iexact=text)
    if by_reference.exists():
        return by_reference
    return with_person(cases, user, text)
