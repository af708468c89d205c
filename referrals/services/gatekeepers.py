"""Every write of gatekeeper places: register, revoke, and the demo's few per dong."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from households.rrn import redact
from referrals.models import GatekeeperPlace, gatekeeper_code_new


def _typed(text, limit: int) -> str:
    return redact((text or "").strip())[:limit]


def gatekeeper_place_register(*, dong, kind: str, name: str, road_address: str,
                              registered_by) -> GatekeeperPlace:
    """A new place with a fresh random code (drawn again in the unlikely event of a clash)."""
    if kind not in GatekeeperPlace.Kind.values:
        raise ValidationError(_("게이트키퍼 유형을 목록에서 골라 주세요."))
    name, road_address = _typed(name, 100), _typed(road_address, 200)
    if not name or not road_address:
        raise ValidationError(_("장소 이름과 주소를 적어 주세요."))
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return GatekeeperPlace.objects.create(
                    dong=dong, kind=kind, name=name, road_address=road_address,
                    registered_by=registered_by, code=gatekeeper_code_new(),
                )
        except IntegrityError:
            continue
    raise ValidationError(_("장소 코드를 만들지 못했습니다. 다시 시도해 주세요."))


@transaction.atomic
def gatekeeper_place_revoke(*, place: GatekeeperPlace, revoked_by) -> GatekeeperPlace:
    """Take the code out of use; reports sent with it later arrive as ordinary ones.
    Revoking twice keeps the first date."""
    place = GatekeeperPlace.objects.select_for_update().get(pk=place.pk)
    if place.revoked_at is None:
        place.revoked_at, place.revoked_by = timezone.now(), revoked_by
        place.save(update_fields=["revoked_at", "revoked_by"])
    return place


# A few places per dong for the demo: (kind, name pattern, road address pattern).
DEMO_PLACES = [
    (GatekeeperPlace.Kind.PHARMACY, "{dong} 온누리약국", "{dong} 주민센터 앞 1층"),
    (GatekeeperPlace.Kind.CONVENIENCE_STORE, "{dong} 편의점", "{dong} 시장 입구"),
    (GatekeeperPlace.Kind.METER_READERS, "{dong} 도시가스 검침원", "{dong} 검침 구역"),
]


def gatekeeper_places_seed(dongs) -> int:
    """Idempotent: the demo's places of each dong once; returns how many are new."""
    added = 0
    for dong in dongs:
        if GatekeeperPlace.objects.filter(dong=dong).exists():
            continue
        for kind, name, address in DEMO_PLACES:
            gatekeeper_place_register(
                dong=dong, kind=kind, name=name.format(dong=dong.short_name),
                road_address=address.format(dong=dong.short_name), registered_by=None)
            added += 1
    return added
