"""Thin Celery tasks of the outreach app: they take ids (or nothing) and call a service."""

from celery import shared_task

from outreach import services

# --- [4/5] cases and check-ins (daily beat tasks; each is idempotent) ---------


@shared_task(name="outreach.tasks.case_follow_ups_due")
def case_follow_ups_due() -> int:
    """Daily: closed cases whose follow-up date has come open a DiscoveryAlert."""
    return services.case_follow_ups_due()


@shared_task(name="outreach.tasks.check_ins_missed")
def check_ins_missed() -> int:
    """Daily: paired households unchecked beyond cadence + grace open a DiscoveryAlert."""
    return services.check_ins_missed_raise()

# --- end [4/5] ------------------------------------------------------------------


# --- [5/5] dashboard rollups ----------------------------------------------------


@shared_task(name="outreach.tasks.dashboard_rollup_refresh")
def dashboard_rollup_refresh_task(dong_ids: list[int] | None = None) -> int:
    """Rebuild the dashboard rollups of these dongs (all when None): nightly, and after
    the writes that change a dong's figures."""
    from outreach.rollups import dashboard_rollup_refresh, dashboard_rollup_started

    dashboard_rollup_started(dong_ids)
    return dashboard_rollup_refresh(dong_ids)
