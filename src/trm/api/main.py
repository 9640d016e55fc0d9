"""The REST API at /api/: the same policy and actions as the pages.

Every refusal has one shape, `{"detail": ..., "reasons": [...], "errors": [...]}`, with the
status of its cause: 401 no valid session or token, 403 a token without the scope (or a failed
CSRF check), 404 anything the policy hides, 409 a stale version or a refused move, 422 input
that is malformed, unknown or not valid (a text that is not valid Unicode too), 429 too many
failed attempts with a token or from an address (with Retry-After, as the sign-in page), 503
a step the database aborted twice under concurrent changes (with Retry-After: nothing saved).
"""

import json

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from trm.accounts.views import locked_out
from trm.lib import text
from trm.lib.errors import DomainError

from . import cases, casework, directory, me, moves, records, referrals, tasks
from .auth import BrowserSession, Throttled, TokenAuth


class UnicodeCheckingParser(Parser):
    """JSON bodies as ninja parses them, with every string valid Unicode: a `\\ud800` escape
    parses to a string no database or cipher can encode, refused here once for every
    endpoint, at its place in the body."""

    def parse_body(self, request):
        data = super().parse_body(request)
        places = text.lone_surrogate_paths(data)
        if places:
            refused = DomainError(errors={_name(place): [text.NOT_UNICODE] for place in places})
            for place in places:
                refused.locations[_name(place)] = ("body", *map(str, place[:-1]))
            raise refused
        return data


def _name(place: tuple) -> str:
    return str(place[-1]) if place else "body"


api = NinjaAPI(
    parser=UnicodeCheckingParser(),
    title="trm",
    version="1",
    description=(
        "The Transnational Referral Mechanism: cases, stage records, moves, notes, consent, "
        "assignment, referrals, the directory and tasks. Searches by name or document number "
        "are POST `/api/cases/search`: a name never goes in a URL. Authenticate with the "
        "session of the pages (writes need the CSRF token) or with an organisation's API "
        "token: `Authorization: Bearer trm_…`; wrong tokens are counted like wrong passwords, "
        "and too many of them answer 429 with Retry-After. A token acts for the person who made "
        "it and never reaches further than they do in its organisation; `GET /api/me` tells a "
        "caller who it is, and a token what it may and may not do. Decisions that need a second "
        "person (approvals) stay with people: a token is refused there. Lists are paginated "
        "with `limit` and `offset` "
        "and give the total `count`. A case's ETag is its version: send it back as `If-Match` "
        "(or `version`) when you change it; a stale one answers 409 and changes nothing."
    ),
    auth=[TokenAuth(), BrowserSession()],
    urls_namespace="api",
    # Swagger UI from ninja's own static files: the node's CSP allows no CDN.
    docs=Swagger(settings={"persistAuthorization": False, "tryItOutEnabled": False}),
)


def refusal(request, status: int, detail: str, reasons=(), errors=()):
    response = api.create_response(
        request,
        {"detail": str(detail), "reasons": [str(r) for r in reasons], "errors": list(errors)},
        status=status,
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="trm"'
    return response


@api.exception_handler(DomainError)
def refused(request, error: DomainError):
    detail = error.reasons[0] if error.reasons else _("Refused.")
    errors = [
        # The shape of `_field_errors`: where in the body, what is wrong.
        {"loc": [*error.locations.get(name, ()), name], "msg": message, "type": "value_error"}
        for name, messages in error.errors.items()
        for message in messages
    ]
    response = refusal(request, error.status, detail, error.reasons, errors)
    if error.status == 503:
        # Busy: the step was rolled back and may pass in a moment.
        response["Retry-After"] = "1"
    return response


# Where ninja says a value came from, and the names of our parameter groups: not the caller's.
WRAPPERS = {"body", "payload", "query", "path", "header", "filters", "paging"}


def _field_errors(errors) -> list[dict]:
    return [
        {
            "loc": [part if isinstance(part, int) else str(part) for part in error.get("loc", ())],
            "msg": str(error.get("msg", "")),
            "type": str(error.get("type", "")),
        }
        for error in errors
    ]


@api.exception_handler(NinjaValidationError)
def not_valid(request, error: NinjaValidationError):
    errors = _field_errors(error.errors)
    reasons = []
    for found in errors:
        # ("body", "payload", "person", "given_name") → person.given_name
        where = [str(part) for part in found["loc"] if part not in WRAPPERS]
        reasons.append(f"{'.'.join(where)}: {found['msg']}" if where else found["msg"])
    return refusal(request, 422, _("The request is not valid."), reasons, errors)


@api.exception_handler(HttpError)
def http_error(request, error: HttpError):
    if isinstance(error.__cause__, DomainError):
        # ninja wraps whatever the body's parser raises: the parser's own refusal stands.
        return refused(request, error.__cause__)
    if isinstance(error.__cause__, ValueError | UnicodeDecodeError | json.JSONDecodeError):
        # ninja could not parse the body: malformed JSON is bad input like any other.
        return refusal(request, 422, _("The request body is not valid JSON."))
    if isinstance(error, AuthenticationError):
        detail = error.message
        if detail == "Unauthorized":
            detail = _("Sign in, or send an API token: Authorization: Bearer trm_…")
        return refusal(request, 401, detail)
    if error.status_code == 403 and "CSRF" in str(error):
        return refusal(
            request, 403, _("The CSRF check failed: send the X-CSRFToken header with writes.")
        )
    return refusal(request, error.status_code, str(error))


@api.exception_handler(Throttled)
def throttled(request, error: Throttled):
    return locked_out(request)


@api.exception_handler(Http404)
def not_found(request, error):
    return refusal(request, 404, _("Not found."))


@api.exception_handler(DjangoValidationError)
def model_not_valid(request, error: DjangoValidationError):
    # A model's own checks caught what the schema let through: still the caller's input.
    return refusal(request, 422, _("The request is not valid."), error.messages)


api.add_router("/cases", cases.router)
api.add_router("/cases", records.router)
api.add_router("/cases", moves.router)
api.add_router("/cases", referrals.case_router)
api.add_router("/cases", casework.router)
api.add_router("/record-kinds", records.kinds_router)
api.add_router("/referrals", referrals.router)
api.add_router("/directory", directory.router)
api.add_router("/tasks", tasks.router)
api.add_router("/me", me.router)
