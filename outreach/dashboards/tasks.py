"""The dashboards' one Celery task: rebuild the rollups of some dongs (or all)."""

from celery import shared_task

from outreach.dashboards.rollups import dashboard_rollup_refresh, dashboard_rollup_started


# The name is kept from before the dashboards had a package of their own, so the beat
# schedule and messages already queued still find it.
@shared_task(name="outreach.tasks.dashboard_rollup_refresh")
def dashboard_rollup_refresh_task(dong_ids: list[int] | None = None) -> int:
    """Rebuild the dashboard rollups of these dongs (all when None): nightly, and after
    the writes that change a dong's figures."""
    dashboard_rollup_started(dong_ids)
    return dashboard_rollup_refresh(dong_ids)
