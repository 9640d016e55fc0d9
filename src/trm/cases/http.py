"""What case pages share: reading a case for a request, as 404 when it may not be seen, and as
the erased-person page once the person's data was erased."""

from django.shortcuts import render

from trm.access.reads import read_case

from .erased import erasure_of

# The case page itself answers 200 once its person is erased: the case still exists, and the
# page says truly what is left of it. Every form, correction and download of the case needs the
# person's data, destroyed with their key for good: 410 Gone, which is not an error of the
# server (500) and not a success either (a 200 would tell a script its download is there).
GONE = 410


class PersonErased(Exception):
    """The case may be seen, but its person's data was erased: nothing of it can be shown."""

    def __init__(self, case, access, status=GONE):
        super().__init__(f"the person of case {case.pk} was erased")
        self.case, self.access, self.status = case, access, status


def read_or_404(request, pk, *, case_page=False, **options):
    """The case and the reader's access (`read_case`): 404 when it may not be seen, the
    erased-person page (`PersonErased`) when its person's data was erased; `case_page` for the
    case's own page (200), any other is gone (410)."""
    case, access = read_case(request.user, pk, **options)  # NotAllowed: the middleware's 404
    if case.person.erased_at is not None:
        raise PersonErased(case, access, status=200 if case_page else GONE)
    return case, access


def erased_page(request, case, access, status=GONE):
    """The page every case page and form answers once the person was erased: when, by whom,
    and which of the case's records remain, without their content."""
    from trm.access.policy import Action

    records = [
        record
        for record in case.records.filter(superseded_by__isnull=True)
        .select_related("organisation")
        .order_by("recorded_at")
        if record.record_kind.category in access.categories
    ]
    return render(
        request,
        "cases/erased.html",
        {
            "case": case,
            "erasure": erasure_of(case.person),
            "records": records,
            "can_export": access.allows(Action.EXPORT),
        },
        status=status,
    )


class ErasedCaseMiddleware:
    """Answers `PersonErased`, from whichever case view raised it, with the erased-person page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, PersonErased):
            return erased_page(request, exception.case, exception.access, exception.status)
        return None
