"""Refusals that reach a page: the one place where an action's `NotAllowed` becomes the 404
page (what the reader may not see does not exist for them), `Forbidden` the 403 page with
its reason, and `Busy` the 503 page asking to try again. The API's exception handlers do the
same for JSON (`api/main.py`)."""

from django.core.handlers.exception import response_for_exception
from django.http import Http404
from django.shortcuts import render

from trm.lib.errors import Forbidden, NotAllowed
from trm.lib.steps import Busy


class RefusalMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotAllowed):
            # Through Django's own 404 handling, so the answer is that of any missing page.
            return response_for_exception(request, Http404())
        if isinstance(exception, Busy):
            return render(request, "503.html", {"reasons": exception.reasons}, status=503)
        if isinstance(exception, Forbidden):
            return render(request, "403.html", {"reasons": exception.reasons}, status=403)
        return None
