"""schemathesis against /api/openapi.json: generated requests to every operation, as systems
with tokens of the sending and of the receiving organisation, about real cases, one of them
with a referral waiting for its answer.

Bounded: some examples of valid and of invalid input per operation. No answer may be a server
error, every answer (refusals too) must match what the OpenAPI document says of it, and invalid
input must be refused.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode, checks

from tests.api.conftest import token_api
from trm.wsgi import application

pytestmark = pytest.mark.django_db

VALID_EXAMPLES = 14
INVALID_EXAMPLES = 7
CONFORMANCE = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture
def _one_connection():
    """Keep the test's database connection (and its transaction) across the WSGI calls, as
    Django's test client does: the handler would otherwise close it after each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def scene(journey, _one_connection):
    """A child's case referred to Albania, its answer pending; an adult's case just opened;
    tokens with every scope for the sending and the receiving organisation."""
    referred = journey.to_referral(child=True)
    referral = journey.send(referred)
    opened = journey.open()
    return {
        "case_id": [str(referred.pk), str(opened.pk)],
        "referral_id": [str(referral.pk)],
        "approval_id": [str(approval.pk) for approval in referred.approvals.all()],
        "organisation_id": [journey.receiver.pk, journey.sender.pk],
        "sender": token_api(journey.sender).headers,
        "receiver": token_api(journey.receiver).headers,
    }


def _takes_input(operation) -> bool:
    # Invalid input needs some input to spoil besides the credentials.
    headers = [header for header in operation.headers if header.name != "Authorization"]
    inputs = (operation.path_parameters, operation.query, operation.body, headers)
    return any(len(found) for found in inputs)


def fuzz(operation, mode, examples, headers, real=None):
    """Send `examples` generated requests to `operation`, with real path identifiers if given,
    and check every answer."""
    strategy = operation.as_strategy(generation_mode=mode, headers=headers)
    real = real or {}
    expected = CONFORMANCE + ([checks.negative_data_rejection] if mode.is_negative else [])

    # Hypothesis draws the same request again and again where an operation takes little input
    # (a referral's reads by the sending and the receiving token: 123 of 1,232 requests): a read
    # already answered and checked is not sent again. Writes are, as their answer can change.
    answered = set()

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy, identifiers=st.fixed_dictionaries(real))
    def run(case, identifiers):
        case.path_parameters = {**(case.path_parameters or {}), **identifiers}
        if case.method.upper() == "GET":
            request = repr((case.formatted_path, case.query, case.headers, case.cookies))
            if request in answered:
                return
            answered.add(request)
        response = case.call(app=application)
        case.validate_response(response, checks=expected)

    try:
        run()
    except Exception as problem:
        problem.add_note(f"in {operation.label}, {mode} input")
        raise


def test_the_api_keeps_to_its_schema_and_never_fails(scene, settings):
    settings.DEBUG = False  # errors answer as in production, not with a debug page
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        names = {parameter.name for parameter in operation.path_parameters}
        real = {name: st.sampled_from(scene[name]) for name in names if name in scene}
        fuzz(operation, GenerationMode.POSITIVE, VALID_EXAMPLES, scene["sender"], real)
        if operation.path.startswith("/api/referrals/"):
            fuzz(operation, GenerationMode.POSITIVE, VALID_EXAMPLES, scene["receiver"], real)
        if _takes_input(operation):
            fuzz(operation, GenerationMode.NEGATIVE, INVALID_EXAMPLES, scene["sender"])
        operations += 1
    assert operations >= 39, "every operation of the API was tried"
