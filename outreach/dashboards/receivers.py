"""How the dashboards hear that a dong's figures changed: the ``dong_figures_changed``
hook (households.hooks), connected in ``DashboardsConfig.ready``."""

from django.core.cache import cache
from django.db import transaction

from outreach.dashboards.rollups import QUEUED_KEY, QUEUED_SECONDS
from outreach.dashboards.tasks import dashboard_rollup_refresh_task


def dashboard_rollup_mark(dong_id) -> None:
    """After this transaction commits, refresh the dong's rollups (a Celery task; run
    in place in the embedded mode). Nothing is sent if the transaction rolls back, and
    nothing more while a refresh of the dong is queued and not yet started."""
    if dong_id is None:
        return

    def send():
        if cache.add(QUEUED_KEY.format(int(dong_id)), 1, QUEUED_SECONDS):
            dashboard_rollup_refresh_task.delay([int(dong_id)])

    transaction.on_commit(send)


def dashboard_rollup_mark_all() -> None:
    """After this transaction commits, refresh every dong (a bulk write: a signal
    batch scored, the model rescored)."""
    transaction.on_commit(lambda: dashboard_rollup_refresh_task.delay(None))


def on_dong_figures_changed(sender, *, dong_ids, **kwargs) -> None:
    if dong_ids is None:
        dashboard_rollup_mark_all()
    else:
        for dong_id in dong_ids:
            dashboard_rollup_mark(dong_id)


def rollups_fill_after_migrate(sender, *, using="default", **kwargs) -> None:
    """After ``migrate``: a rollup table that a migration has just created is empty while
    the alerts it counts exist; rebuild them all then, so the dashboard is right from the
    first page after an upgrade, not from the next nightly refresh. Two small queries
    on every other ``migrate``."""
    from django.db import connections

    from outreach.dashboards.rollups import dashboard_rollup_refresh
    from outreach.models import DiscoveryAlert, DongScoreToDate

    tables = connections[using].introspection.table_names()
    if DongScoreToDate._meta.db_table not in tables:
        return  # migrated only part of the way
    counted = DiscoveryAlert.objects.using(using).filter(
        status=DiscoveryAlert.Status.CLOSED, origin="risk_model", assessment__isnull=False)
    if not DongScoreToDate.objects.using(using).exists() and counted.exists():
        dashboard_rollup_refresh()
