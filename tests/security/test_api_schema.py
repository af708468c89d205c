"""The API answers as its OpenAPI schema says, for each kind of caller: every operation
(reads and writes), never a 5xx, every answer's status code declared and its body matching
the schema (schemathesis through the WSGI app: no server, the test database).

Each operation gets a bounded number of generated requests: schema-valid ones, invalid
ones, and ones aimed at real records the caller may or may not see. Each request runs in
a savepoint rolled back afterwards, so a write never changes what the next one finds."""

from datetime import timedelta

import pytest
import schemathesis
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

ROLES = ["staff1", "partner1", "volunteer1"]
EXAMPLES_PER_OPERATION = 8
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


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


@pytest.fixture
def records(demo, catalogue, food_bank, singil_household, daerim_household, staff1,
            volunteer1, make_referral, settings, tmp_path):
    """One record of each kind in 신길1동 (staff1's and volunteer1's dong, a food-bank link
    for partner1) and one in 대림2동 (nobody's here): {path prefix: [ids]}."""
    from tests.factories import (
        CaseFactory,
        CheckInFactory,
        PairingFactory,
        ServiceLinkFactory,
        VisitFactory,
    )

    settings.MEDIA_ROOT = str(tmp_path / "media")
    service = next(s for s in catalogue.values() if s.provider_kind == food_bank.kind)
    ids = {}
    for household in (singil_household, daerim_household):
        pairing = PairingFactory(household=household, volunteer=volunteer1)
        found = {
            "households": household.pk,
            "people": household.members.first().pk,
            "referrals": make_referral(dong=household.dong.short_name,
                                       referred_by=volunteer1).pk,
            "visits": VisitFactory(household=household, staff=staff1,
                                   scheduled_for=timezone.now() + timedelta(days=1)).pk,
            "cases": CaseFactory(household=household, manager=staff1).pk,
            "service-links": ServiceLinkFactory(household=household, service=service,
                                                provider=food_bank, requested_by=staff1).pk,
            "pairings": pairing.pk,
            "check-ins": CheckInFactory(pairing=pairing).pk,
            "services": service.pk,
        }
        for prefix, pk in found.items():
            ids.setdefault(prefix, []).append(pk)
    return ids


def _strategy(operation, records):
    modes = [operation.as_strategy(GenerationMode.POSITIVE),
             operation.as_strategy(GenerationMode.NEGATIVE)]
    if "{id}" in operation.path:
        prefix = operation.path.removeprefix("/api/v1/").split("/")[0]
        modes += [operation.as_strategy(GenerationMode.POSITIVE, path_parameters={"id": pk})
                  for pk in records.get(prefix, [])]
    return st.one_of(modes)


def _failures_for(schema, headers, records):
    failures = {}
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,
                  database=None, phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=_strategy(operation, records))
        def conforms(case):
            with transaction.atomic():
                response = case.call(headers=headers)
                transaction.set_rollback(True)
            case.validate_response(response, checks=CHECKS)

        try:
            conforms()
        # schemathesis reports its findings as a BaseExceptionGroup, not an Exception.
        except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 — all are reported
            failures[operation.label] = f"{type(error).__name__}: {str(error)[:900]}"
    return failures


@pytest.mark.parametrize("username", ROLES)
def test_every_operation_keeps_its_contract(api_schema, records, fresh_rate_limits,
                                            username):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=username)
    token, _ = Token.objects.get_or_create(user=user)
    failures = _failures_for(api_schema, {"Authorization": f"Token {token.key}"}, records)
    assert not failures, "\n\n".join(f"{label}\n{why}" for label, why in failures.items())
