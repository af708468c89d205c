"""The catalogue in Open Referral HSDS 3 JSON: it validates against the HSDS service
schema, and export → import gives the same catalogue back."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from jsonschema import Draft202012Validator

from households.models import Organization
from referrals.models import Service
from referrals.services.hsds import hsds_catalogue_export, hsds_catalogue_import

pytestmark = pytest.mark.django_db
SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "referrals" / "hsds"
                     / "service_with_definitions.json").read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)


def catalogue_state() -> list[tuple]:
    """Everything the catalogue says, in a comparable form."""
    return sorted(
        (s.name, s.sector, s.provider_kind, s.domain, s.description, s.typical_value, s.active,
         tuple(sorted((o.code, o.name, o.kind) for o in s.providers.all())))
        for s in Service.objects.prefetch_related("providers")
    )


def test_every_exported_service_validates_against_the_hsds_schema(catalogue):
    Service.objects.filter(name="후원 결연").update(active=False)
    exported = hsds_catalogue_export()
    assert exported["total_items"] == len(catalogue) == len(exported["contents"])
    for service in exported["contents"]:
        errors = sorted(VALIDATOR.iter_errors(service), key=str)
        assert not errors, f"{service['name']}: {errors[0].message}"
    by_name = {s["name"]: s for s in exported["contents"]}
    food = by_name["푸드뱅크·푸드마켓"]
    assert food["status"] == "active" and by_name["후원 결연"]["status"] == "inactive"
    assert food["cost_options"][0]["currency"] == "KRW"
    assert food["cost_options"][0]["amount"] == 100_000
    assert food["organization"]["name"] == "영등포구 푸드뱅크"


def test_the_schema_catches_a_broken_service(catalogue):
    """A check that the validation above can fail: HSDS wants a uuid id and a known status."""
    service = hsds_catalogue_export()["contents"][0]
    broken = {**service, "id": "42", "status": "open"}
    messages = {e.validator for e in VALIDATOR.iter_errors(broken)}
    assert {"format", "enum"} <= messages


def test_export_then_import_gives_the_same_catalogue(catalogue):
    before = catalogue_state()
    exported = hsds_catalogue_export()
    Service.objects.all().delete()
    Organization.objects.filter(code__in=["ydp-housing", "klac"]).delete()
    result = hsds_catalogue_import(json.loads(json.dumps(exported)))
    assert result == {"created": len(before), "updated": 0, "errors": []}
    assert catalogue_state() == before
    assert hsds_catalogue_export() == exported


def test_import_updates_in_place_and_reports_bad_services_by_number(catalogue):
    exported = hsds_catalogue_export()
    first = exported["contents"][0]
    changed = {**first, "description": "새 설명"}
    bad = {**first, "name": "", "status": "active"}
    no_sector = {**exported["contents"][1], "name": "분류 없는 서비스",
                 "attributes": [a for a in exported["contents"][1]["attributes"]
                                if a["taxonomy_term"]["taxonomy"] != "doorstep-sector"]}
    result = hsds_catalogue_import([changed, bad, no_sector])
    assert (result["created"], result["updated"]) == (0, 1)
    assert result["errors"][0].startswith("2번째 서비스:")
    assert result["errors"][1].startswith("3번째 서비스:") and "doorstep-sector" in \
        result["errors"][1]
    assert Service.objects.get(name=first["name"]).description == "새 설명"
    assert not Service.objects.filter(name="분류 없는 서비스").exists()


def test_management_commands_round_trip_through_a_file(catalogue, tmp_path):
    before = catalogue_state()
    path = tmp_path / "catalogue.hsds.json"
    call_command("export_hsds", output=str(path))
    Service.objects.all().delete()
    call_command("import_hsds", str(path))
    assert catalogue_state() == before


def test_import_of_a_file_that_is_not_json_says_so(tmp_path, demo):
    path = tmp_path / "broken.json"
    path.write_text("{ not json", encoding="utf-8")
    with pytest.raises(CommandError, match="읽을 수 없는 JSON"):
        call_command("import_hsds", str(path))


def test_the_api_exports_the_active_catalogue_as_hsds(api_as, staff1, catalogue):
    body = api_as(staff1).get("/api/v1/services/hsds/").json()
    assert body["total_items"] == len(catalogue)
    assert all(not list(VALIDATOR.iter_errors(s)) for s in body["contents"])
