"""The API answers as its OpenAPI schema says, for each kind of caller: never a 5xx, and
every documented answer matches its schema (schemathesis, GET operations, a few examples
each, through the WSGI app: no server, the test database)."""

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

ROLES = ["staff1", "partner1", "volunteer1"]
EXAMPLES_PER_OPERATION = 5

# Operations of the outreach app that break the contract today, left to its owners
# (the outreach package is being restructured on another branch). Each entry is
# "METHOD /path" as schemathesis labels it; remove it once fixed.
KNOWN_OUTREACH_FAILURES: set[str] = set()


@pytest.fixture
def api_schema(db):
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from config.wsgi import application

    # As Django's test client does: the WSGI app must not close the test's connection
    # (and its transaction) after each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _failures_for(schema, headers):
    failures = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() != "GET":
            continue

        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,
                  database=None, phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def conforms(case):
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error,
                                                     response_schema_conformance])

        try:
            conforms()
        except Exception as error:  # noqa: BLE001 — every kind of failure is reported
            failures[operation.label] = f"{type(error).__name__}: {str(error)[:600]}"
    return failures


@pytest.mark.parametrize("username", ROLES)
def test_every_get_operation_keeps_its_contract(api_schema, demo, username):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=username)
    token, _ = Token.objects.get_or_create(user=user)
    failures = _failures_for(api_schema, {"Authorization": f"Token {token.key}"})
    unexpected = {label: why for label, why in failures.items()
                  if label not in KNOWN_OUTREACH_FAILURES}
    assert not unexpected, "\n\n".join(f"{label}\n{why}" for label, why in unexpected.items())
