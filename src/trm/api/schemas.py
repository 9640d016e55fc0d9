"""What every part of the API shares: input rules, errors, pages of results, versions."""

import datetime
from typing import Annotated, Literal

from django.db import models
from django.utils.translation import gettext_lazy as _
from ninja import Header, Schema
from pydantic import AfterValidator, ConfigDict, Field, StringConstraints

from trm.lib.errors import Conflict, DomainError


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store NUL in text; refuse it here rather than fail later.
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    return value


def text(max_length: int, min_length: int = 0):
    """A string of at most `max_length` characters, surrounding space removed, no NUL."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, max_length=max_length, min_length=min_length),
        AfterValidator(_no_nul),
    ]


def codes(choices: type[models.TextChoices]):
    """The codes of a Django choice list as a JSON Schema enum."""
    return Literal[tuple(choices.values)]


def plausible(value):
    # Dates far in the past or future are typing mistakes, and overflow date arithmetic.
    if value is not None and not 1900 <= value.year <= 2200:
        raise ValueError("give a date between the years 1900 and 2200")
    return value


Date = Annotated[datetime.date, AfterValidator(plausible)]
Moment = Annotated[datetime.datetime, AfterValidator(plausible)]
Limit = Annotated[int, Field(ge=1, le=200)]
Offset = Annotated[int, Field(ge=0, le=1_000_000)]
Version = Annotated[int, Field(ge=1, le=2_147_483_647)]
DirectoryId = Annotated[int, Field(ge=1, le=2**53)]
IfMatch = Annotated[str | None, Header(alias="If-Match", description="The case's ETag.")]


class In(Schema):
    """A request body: unknown fields are refused, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class FieldError(Schema):
    loc: list[str | int]
    msg: str
    type: str


class Error(Schema):
    """Every refusal: a sentence to show, the reasons behind it, field errors if any."""

    detail: str
    reasons: list[str] = []
    errors: list[FieldError] = []


class Page[T](Schema):
    """One page of a list: `count` is the total, `items` those from `offset` on."""

    count: int
    limit: int
    offset: int
    items: list[T]


# The refusals any call may meet; every operation documents them (429: too many failed
# attempts with a token or from an address, trm.accounts.throttle).
REFUSALS = frozenset({401, 403, 404, 409, 422, 429})


def responses(ok: int, schema) -> dict:
    return {ok: schema, REFUSALS: Error}


def page_of(queryset, limit: int, offset: int) -> tuple[int, list]:
    """The total and the objects of one page (the total counted in the database)."""
    return queryset.count(), list(queryset[offset : offset + limit])


def etag(version: int) -> str:
    return f'"{version}"'


def version_wanted(version: int | None, if_match: str | None, *, required: bool) -> int | None:
    """The case version the caller changes, from the body's `version` or an If-Match header.

    Stale versions are refused by the actions themselves (409), under the case's lock.
    """
    from_header = None
    if if_match is not None and if_match.strip() != "*":
        value = if_match.strip().removeprefix("W/").strip('"')
        if not (value.isascii() and value.isdigit()) or len(value) > 10:
            raise DomainError(_('If-Match takes the ETag of the case, such as "3".'))
        from_header = int(value)
    if version is not None and from_header is not None and version != from_header:
        raise Conflict(_("The version and the If-Match header name different versions."))
    found = version if version is not None else from_header
    if found is None and required:
        raise DomainError(
            _("Say which version of the case you change: the version field or If-Match.")
        )
    return found
