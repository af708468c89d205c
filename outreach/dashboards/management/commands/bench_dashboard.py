"""Benchmark (not a test): the district dashboard for `admin` at 1/10 and full scale.

    manage.py bench_dashboard --households 200000 [--runs 30]

On PostgreSQL it tops the demo district up with ``seed_demo`` households, adds risk
assessments, alerts and visits in bulk for a fifth of them, then times the district
dashboard page (this year so far) at a tenth of the households and again at all of
them. It prints p50/p95 at both scales and the growth of p95 (target ≤ 1.5× for 10×
the data). Run it on a scratch database: it adds data and keeps it.
"""

import statistics
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from households.demo import seed_registry
from households.models import Household
from outreach.dashboards.rollups import dashboard_rollup_refresh
from outreach.models import DiscoveryAlert, RiskAssessment, Visit

# Marks the rows this command made, so a second run only tops up.
BENCH_NOTE = "bench_dashboard"
BATCH = 5000
# Risk factors as stored: codes with their values (outreach.messages).
FACTORS = [{"code": "power_cutoff", "months": 2}, {"code": "health_insurance_arrears", "months": 6},
           {"code": "factor_alone"}, {"code": "telecom_arrears", "months": 3},
           {"code": "maintenance_arrears", "months": 4}, {"code": "job_loss"},
           {"code": "water_cutoff", "months": 1}]
LEVELS = ["low", "medium", "high", "critical"]


class Command(BaseCommand):
    help = "Time the district dashboard at a tenth of --households and at all of them."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=200000)
        parser.add_argument("--runs", type=int, default=30)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--small-only", action="store_true",
                            help="measure only the tenth (a quick look)")

    def handle(self, *args, households, runs, seed, small_only, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_dashboard needs PostgreSQL (set DATABASE_URL).")
        if settings.DEBUG:
            self.stderr.write("DEBUG is on: run with DEBUG=False for production-like timings.")
        scales = [max(households // 10, 36)] + ([] if small_only else [households])
        results = []
        for target in scales:
            started = time.monotonic()
            seed_registry(target, seed)
            added = self.add_work()
            self.stdout.write(f"seeded {target:,} households (+{added:,} alerts) in "
                              f"{time.monotonic() - started:.0f}s")
            # Written in bulk, past the services: rebuild the rollups as the nightly
            # task does, and time it.
            started = time.monotonic()
            rows = dashboard_rollup_refresh()
            self.stdout.write(f"bench_dashboard rollup_refresh households={target} "
                              f"rows={rows:,} seconds={time.monotonic() - started:.1f}")
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
            results.append((target, *self.measure(runs)))
        for target, p50, p95, queries, alerts in results:
            self.stdout.write(f"bench_dashboard households={target} alerts={alerts} "
                              f"queries={queries} p50_ms={p50:.0f} p95_ms={p95:.0f}")
        if len(results) == 2:
            ratio = results[1][2] / results[0][2]
            verdict = "ok" if ratio <= 1.5 else "over target"
            self.stdout.write(f"bench_dashboard p95_growth={ratio:.2f}x for "
                              f"{results[1][0] // results[0][0]}x data ({verdict}, target ≤1.5x)")

    def add_work(self) -> int:
        """Assessments, alerts and visits for every fifth household not yet done."""
        User = get_user_model()
        staff = User.objects.get(username="staff1")
        volunteer = User.objects.get(username="volunteer1")
        done_up_to = (DiscoveryAlert.objects.filter(close_note=BENCH_NOTE)
                      .order_by("-household_id").values_list("household_id", flat=True)
                      .first() or 0)
        dong_of = dict(Household.objects.filter(id__gt=done_up_to).order_by("id")
                       .values_list("id", "dong_id"))
        ids = [i for i in dong_of if i % 5 == 0]
        for start in range(0, len(ids), BATCH):
            chunk = ids[start:start + BATCH]
            with transaction.atomic():
                assessments = RiskAssessment.objects.bulk_create([
                    RiskAssessment(household_id=i, model_version=1 + i % 3,
                                   score=(i * 37) % 101, level=LEVELS[(i * 37) % 101 // 26],
                                   factors=[FACTORS[i % 7], FACTORS[(i // 7) % 7]])
                    for i in chunk])
                alerts = DiscoveryAlert.objects.bulk_create([
                    DiscoveryAlert(
                        household_id=a.household_id, dong_id=dong_of[a.household_id],
                        assessment=a, origin="risk_model",
                        due_on="2026-01-01", close_note=BENCH_NOTE,
                        status="closed" if a.household_id % 10 < 7 else "open",
                        close_reason=("supported" if a.household_id % 3 == 0 else "no_need")
                        if a.household_id % 10 < 7 else "")
                    for a in assessments])
                Visit.objects.bulk_create([
                    Visit(household_id=alert.household_id, alert=alert, staff=staff,
                          companion=volunteer if alert.household_id % 4 == 0 else None,
                          scheduled_for="2026-01-01T10:00:00+09:00",
                          outcome="met" if alert.household_id % 2 == 0 else "not_home")
                    for alert in alerts if alert.household_id % 10 < 8])
        # Spread the dates over the last two years (auto_now_add set them all to now).
        with connection.cursor() as cursor:
            cursor.execute("""
                UPDATE outreach_discoveryalert SET
                  opened_at = now() - (household_id %% 700) * interval '1 day',
                  due_on = (now() - (household_id %% 700) * interval '1 day'
                            + interval '3 days')::date,
                  first_contact_at = CASE WHEN household_id %% 7 <> 0 THEN
                    now() - (household_id %% 700) * interval '1 day'
                          + (household_id %% 9) * interval '1 day' END,
                  closed_at = CASE WHEN status = 'closed' THEN
                    now() - (household_id %% 700) * interval '1 day' + interval '20 days' END
                WHERE close_note = %s""", [BENCH_NOTE])
            cursor.execute("""
                UPDATE outreach_visit v SET scheduled_for = a.opened_at + interval '2 days',
                  visited_at = a.opened_at + interval '2 days'
                FROM outreach_discoveryalert a
                WHERE v.alert_id = a.id AND a.close_note = %s""",
                           [BENCH_NOTE])
        return len(ids)

    def measure(self, runs: int):
        client = Client()
        client.force_login(get_user_model().objects.get(username="admin"))
        url = "/dashboard/district/"
        for _ in range(3):  # warm caches and connections
            assert client.get(url).status_code == 200
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        timings.sort()
        p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
        alerts = DiscoveryAlert.objects.count()
        return statistics.median(timings), p95, len(queries.captured_queries), alerts
