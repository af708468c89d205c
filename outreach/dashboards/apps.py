"""The dashboards as a Django app of their own, nested in outreach.

An app rather than a plain package so that it owns its management commands
(bench_dashboard, bench_pages), its Celery task and its hook receiver. It has no
models: the rollup tables are declared in ``outreach.models.rollups`` so that their
migrations stayed where they were.
"""

from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "outreach.dashboards"
    label = "dashboards"
    verbose_name = "Dashboards"

    def ready(self):
        from django.db.models.signals import post_migrate

        from households.hooks import dong_figures_changed
        from outreach.dashboards.receivers import (
            on_dong_figures_changed,
            rollups_fill_after_migrate,
        )

        dong_figures_changed.connect(on_dong_figures_changed,
                                     dispatch_uid="dashboards-rollup-refresh")
        # Sent per app with models: this one has none, the rollups are outreach's.
        post_migrate.connect(rollups_fill_after_migrate,
                             sender=self.apps.get_app_config("outreach"),
                             dispatch_uid="dashboards-rollups-after-migrate")
