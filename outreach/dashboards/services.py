"""The dashboards' one write: each dong's annual discovery target (발굴 목표)."""

from django.db import transaction

from outreach.models import DiscoveryTarget


@transaction.atomic
def discovery_targets_save(*, year: int, targets: dict, by) -> int:
    """Set each dong's discovery target for a year; None puts a dong back on the default
    (last year's actual × 1.1). Returns how many dongs changed."""
    changed = 0
    saved = {t.dong_id: t for t in DiscoveryTarget.objects.select_for_update()
             .filter(year=year, dong_id__in=list(targets))}
    for dong_id, target in targets.items():
        current = saved.get(dong_id)
        if target is None:
            if current is not None:
                current.delete()
                changed += 1
        elif current is None:
            DiscoveryTarget.objects.create(dong_id=dong_id, year=year, target=target, set_by=by)
            changed += 1
        elif current.target != target:
            current.target, current.set_by = target, by
            current.save(update_fields=["target", "set_by", "set_at"])
            changed += 1
    return changed
