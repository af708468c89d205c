"""Named hooks: how a lower part of Doorstep tells a higher one that something changed.

Imports go one way (dashboards → outreach → referrals → households), so a write low in
that order cannot call what sits above it; it sends a hook, and the part above connects
a receiver in its ``AppConfig.ready``.
"""

from django.dispatch import Signal

# A write changed the dashboard figures of these dongs (``dong_ids=None``: of every
# dong, after a bulk write such as a scored signal batch). Sent inside the writer's
# transaction; receivers act after it commits.
dong_figures_changed = Signal()


def dong_figures_changed_send(dong_ids: list[int] | None) -> None:
    """Tell the dashboards that these dongs' figures changed (None: every dong)."""
    if dong_ids is not None:
        dong_ids = sorted({int(d) for d in dong_ids if d is not None})
        if not dong_ids:
            return
    dong_figures_changed.send(sender=None, dong_ids=dong_ids)


# A household started getting help (a service link was requested for it). Outreach moves
# the household's open alert to 지원 연계; sent inside the writer's transaction.
household_supported = Signal()


def household_supported_send(*, household_id: int, actor=None) -> None:
    """Tell whoever follows households in crisis that this one is now being supported."""
    household_supported.send(sender=None, household_id=household_id, actor=actor)
