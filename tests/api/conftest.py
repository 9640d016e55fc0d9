"""Callers of the API: signed-in browsers and systems with tokens, and cases to call it about."""

import itertools
import json

import pytest
from django.test import Client

from tests.referrals.journeys import Journey
from trm.accounts.models import Membership, Role, User
from trm.api.models import Scope
from trm.api.tokens import create_token

ALL_SCOPES = tuple(Scope.values)


class Api:
    """A client of the JSON API: bodies go out as JSON, `.json()` reads the answer."""

    def __init__(self, client: Client, headers: dict | None = None):
        self.client = client
        self.headers = headers or {}

    def _send(self, method, path, body=None, headers=None, raw=None):
        options = {"headers": {**self.headers, **(headers or {})}}
        if body is not None or raw is not None:
            options["data"] = raw if raw is not None else json.dumps(body)
            options["content_type"] = "application/json"
        return getattr(self.client, method)(path, **options)

    def get(self, path, params=None, headers=None):
        return self.client.get(path, params or {}, headers={**self.headers, **(headers or {})})

    def post(self, path, body=None, **options):
        return self._send("post", path, body if body is not None else {}, **options)

    def patch(self, path, body=None, **options):
        return self._send("patch", path, body if body is not None else {}, **options)


_makers = itertools.count(1)


def token_maker(organisation, role) -> User:
    """A person of `organisation` with `role`, for whom the node's command line makes a token."""
    maker = User.objects.create_user(username=f"maker.{organisation.slug}.{next(_makers)}")
    Membership.objects.create(user=maker, organisation=organisation, role=role)
    return maker


def token_api(organisation, scopes=ALL_SCOPES, name="Case system", maker=None) -> Api:
    """A system's client with a token made on the command line; unless told whom it acts for,
    a new member who holds the role its scopes need (focal point to answer referrals)."""
    if maker is None and set(scopes) - {Scope.DIRECTORY_READ}:
        role = Role.FOCAL_POINT if Scope.REFERRALS_WRITE in scopes else Role.CASE_WORKER
        maker = token_maker(organisation, role)
    token, secret = create_token(None, organisation, name=name, scopes=scopes, maker=maker)
    api = Api(Client(), {"Authorization": f"Bearer {secret}"})
    api.token, api.secret = token, secret
    return api


@pytest.fixture
def journey(personas):
    """IOM Spain refers to IOM Albania (tests/referrals/journeys.py)."""
    return Journey(personas)


@pytest.fixture
def as_user(personas):
    """The API as a signed-in user of the pages (session and second factor)."""
    return lambda user: Api(personas.signed_in(user))
