"""The service catalogue in Open Referral HSDS 3 JSON: export and import.

One HSDS service per catalogue service, in an HSDS API-style page ({"contents": [...]}).
Ids are UUID 5 of the service's name (and of the organisation's code), so the same
catalogue always exports the same ids and an import matches services by them. What HSDS
has no field for rides in `attributes` with Doorstep taxonomies: the sector (공공/민간),
the need domain, the usual provider kind, and every provider (HSDS gives a service one
`organization`: the first provider; the `doorstep-provider` attributes list them all).
The 환가액 is a KRW `cost_options` entry.
"""

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from households.models import Organization
from referrals.models import NeedDomain, Service

HSDS_VERSION = "3.0"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://doorstep.invalid/hsds")
TAXONOMIES = {
    "sector": ("doorstep-sector", dict(Service.Sector.choices)),
    "domain": ("doorstep-need-domain", dict(NeedDomain.choices)),
    "provider_kind": ("doorstep-provider-kind", dict(Organization.Kind.choices)),
}
PROVIDER_TAXONOMY = "doorstep-provider"
TYPICAL_VALUE = "typical_value"


def _id(*parts) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts)))


def _organization_key(org: Organization) -> str:
    return org.code or org.name


def _organization(org: Organization) -> dict:
    data = {"id": _id("organization", _organization_key(org)), "name": org.name,
            "description": str(org.get_kind_display())}
    if org.email:
        data["email"] = org.email
    return data


def _term(service_id: str, link_type: str, taxonomy: str, code: str, name: str,
          description: str, value: str = "") -> dict:
    term_id = _id("term", taxonomy, code)
    attribute = {
        "id": _id("attribute", service_id, taxonomy, code), "link_id": service_id,
        "link_type": link_type, "link_entity": "service", "taxonomy_term_id": term_id,
        "taxonomy_term": {"id": term_id, "code": code, "name": name,
                          "description": description, "taxonomy": taxonomy},
    }
    if value:
        attribute["value"] = value
    return attribute


def hsds_service(service: Service) -> dict:
    """One catalogue service as an HSDS 3 service object."""
    service_id = _id("service", service.name)
    providers = sorted(service.providers.all(), key=lambda o: (_organization_key(o), o.pk))
    attributes = [
        _term(service_id, field, taxonomy, getattr(service, field),
              str(labels.get(getattr(service, field), getattr(service, field))), field)
        for field, (taxonomy, labels) in TAXONOMIES.items()
    ] + [
        _term(service_id, "provider", PROVIDER_TAXONOMY, _organization_key(org), org.name,
              org.kind, value=org.code or "")
        for org in providers
    ]
    data = {
        "id": service_id, "name": service.name, "description": service.description,
        "status": "active" if service.active else "inactive",
        "attributes": attributes,
        "cost_options": [{
            "id": _id("cost", service_id), "service_id": service_id, "option": TYPICAL_VALUE,
            "currency": "KRW", "amount": service.typical_value,
            "amount_description": "통상 환가액 (typical monetary value of one provision)",
        }],
    }
    if providers:
        data["organization_id"] = _id("organization", _organization_key(providers[0]))
        data["organization"] = _organization(providers[0])
    return data


def hsds_catalogue_export(services=None) -> dict:
    """The catalogue (every service, used or not) as one HSDS API-style page."""
    if services is None:
        services = Service.objects.prefetch_related("providers").order_by("sector", "name")
    contents = [hsds_service(s) for s in services]
    return {"total_items": len(contents), "total_pages": 1, "page_number": 1,
            "size": len(contents), "first_page": True, "last_page": True,
            "empty": not contents, "contents": contents}


# --- import ------------------------------------------------------------------------------


def _attribute_codes(service: dict, taxonomy: str) -> list[dict]:
    return [a.get("taxonomy_term") or {} for a in service.get("attributes") or []
            if isinstance(a, dict) and (a.get("taxonomy_term") or {}).get("taxonomy") == taxonomy]


def _one(service: dict, field: str) -> str:
    taxonomy, labels = TAXONOMIES[field]
    codes = [t.get("code") for t in _attribute_codes(service, taxonomy)]
    if len(codes) != 1 or codes[0] not in labels:
        raise ValidationError(_("'%(taxonomy)s' 분류가 하나 있어야 하고 목록의 값이어야 "
                                "합니다 (%(allowed)s).")
                              % {"taxonomy": taxonomy, "allowed": ", ".join(labels)})
    return codes[0]


def _typical_value(service: dict) -> int:
    for cost in service.get("cost_options") or []:
        if isinstance(cost, dict) and cost.get("option") == TYPICAL_VALUE:
            amount = cost.get("amount")
            if not isinstance(amount, int | float) or amount < 0 or cost.get("currency") != "KRW":
                raise ValidationError(_("환가액은 0 이상의 원(KRW) 금액이어야 합니다."))
            return int(amount)
    return 0


def _providers(service: dict) -> list[Organization]:
    providers = []
    for term in _attribute_codes(service, PROVIDER_TAXONOMY):
        code, name = (term.get("code") or "").strip(), (term.get("name") or "").strip()
        if not code or not name:
            raise ValidationError(_("제공기관에는 코드와 이름이 있어야 합니다."))
        org = (Organization.objects.filter(code=code).first()
               or Organization.objects.filter(code__isnull=True, name=code).first())
        if org is None:
            kind = term.get("description")
            org = Organization.objects.create(
                code=code, name=name,
                kind=kind if kind in Organization.Kind.values else Organization.Kind.OTHER)
        providers.append(org)
    return providers


def _service_values(item) -> dict:
    if not isinstance(item, dict):
        raise ValidationError(_("서비스는 JSON 객체여야 합니다."))
    name = (item.get("name") or "").strip() if isinstance(item.get("name"), str) else ""
    if not name or len(name) > 100:
        raise ValidationError(_("서비스 이름(name)이 없거나 100자를 넘습니다."))
    if item.get("status") not in ("active", "inactive", "defunct", "temporarily closed"):
        raise ValidationError(_("status는 active, inactive, defunct, temporarily closed 중 "
                                "하나여야 합니다."))
    description = item.get("description") or ""
    return {"name": name, "description": description if isinstance(description, str) else "",
            "active": item["status"] == "active", "sector": _one(item, "sector"),
            "domain": _one(item, "domain"), "provider_kind": _one(item, "provider_kind"),
            "typical_value": _typical_value(item)}


def hsds_catalogue_import(data) -> dict:
    """Create or update catalogue services from HSDS JSON (a page with "contents", a list,
    or one service). Each service is taken in on its own: a bad one is reported with its
    number and reason, the good ones are kept. Returns counts and the errors."""
    if isinstance(data, dict) and "contents" in data:
        items = data["contents"]
    elif isinstance(data, dict):
        items = [data]
    else:
        items = data
    if not isinstance(items, list):
        raise ValidationError(_("HSDS 서비스 목록(contents)을 찾을 수 없습니다."))
    created = updated = 0
    errors = []
    for number, item in enumerate(items, start=1):
        try:
            with transaction.atomic():
                values = _service_values(item)
                providers = _providers(item)
                service, was_created = Service.objects.update_or_create(
                    name=values.pop("name"), defaults=values)
                service.providers.set(providers)
        except ValidationError as error:
            errors.append(_("%(n)d번째 서비스: %(error)s")
                          % {"n": number, "error": " ".join(error.messages)})
            continue
        created += was_created
        updated += not was_created
    return {"created": created, "updated": updated, "errors": errors}
