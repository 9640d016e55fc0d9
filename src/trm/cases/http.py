"""What case pages share: reading a case for a request, as 404 when it may not be seen."""

from django.http import Http404

from trm.access.reads import read_case
from trm.lib.errors import NotAllowed


def read_or_404(request, pk, **options):
    try:
        return read_case(request.user, pk, **options)
    except NotAllowed:
        raise Http404 from None
