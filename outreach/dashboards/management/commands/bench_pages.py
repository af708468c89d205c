"""Page speed at two scales (a benchmark, not a test).

    DATABASE_URL=postgres://… manage.py bench_pages --flush
        builds 20,000 households + 5,000 referrals + 2,000 open alerts (and as many closed
        alerts, a visit per alert, a service link per other alert, for the dashboard),
        copies that database, tops up to 200,000 + 50,000 + 20,000, times every target on
        both request by request in pairs, and prints p50/p95 and the p95 growth ratio (target
        ≤ 1.2× for 10× the data). It creates the database when it does not exist (its
        name must contain "bench") and migrates it, so nothing else is needed first.

Another page joins the benchmark by adding a (name, url, user) triple to TARGETS.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from households.demo import seed_registry
from households.models import Household
from outreach.dashboards.rollups import dashboard_rollup_refresh
from outreach.management.commands.bench_signals import database_admin, database_ensure
from outreach.models import CrisisLevel, DiscoveryAlert, RiskAssessment
from referrals.models import Concern, Referral
from referrals.services import due_date_for

# (name, url) requested as the bench user; add dashboards and lists here.
# (name, url, user): the page, and who looks at it.
TARGETS = [
    ("inbox", "/inbox/", "staff1"),
    ("referrals api", "/api/v1/referrals/", "staff1"),
    ("district dashboard", "/dashboard/district/", "admin"),
]

OPEN_SHARE = 0.4  # of referrals still open; the rest are closed history
TARGET_GROWTH = 1.2  # p95 at 10x the data over p95 at the small scale
BATCH = 5000

# Risk factors as stored: codes with their values (outreach.messages).
BENCH_FACTORS = [{"code": "power_cutoff", "months": 2},
                 {"code": "health_insurance_arrears", "months": 6},
                 {"code": "telecom_arrears", "months": 3}]


def figures(times: list[float]) -> dict:
    """min, p50 and p95 of request times (ms); p95 of 200 is their 190th."""
    times = sorted(times)
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return {"min": times[0], "p50": statistics.median(times), "p95": p95}


class Command(BaseCommand):
    help = "Time pages (p50/p95) at a tenth of the scale and at full scale on PostgreSQL."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=200_000)
        parser.add_argument("--referrals", type=int, default=50_000)
        parser.add_argument("--alerts", type=int, default=20_000)
        parser.add_argument("--fraction", type=float, default=0.1,
                            help="the small scale as a share of the large one")
        # p95 of 200 requests is their 190th: ten slow ones (a busy neighbour on a shared
        # machine) cannot decide it alone, as three did of 40.
        parser.add_argument("--runs", type=int, default=200,
                            help="requests per target and scale")
        parser.add_argument("--warmup", type=int, default=10)
        # Timed one after the other, minutes apart, the two scales met different moments of
        # a shared machine: the same small database's p50 ranged 92–114 ms from run to run,
        # more than the large one's growth; in alternating blocks of 20 requests, a page's
        # p95 still went over 1.2× in two runs of four. So the scales are timed in pairs of
        # requests (measure_paired), each scale in its own process.
        parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
        parser.add_argument("--user", default="staff1")
        parser.add_argument("--flush", action="store_true",
                            help="empty the database first (it must hold less than the small "
                                 "scale)")
        parser.add_argument("--allow-sqlite", action="store_true")
        parser.add_argument("--measure-only", action="store_true",
                            help="time the targets on the data as it is; print JSON")

    def handle(self, *args, **opts):
        if opts["serve"]:
            self.serve(opts)
            return
        if opts["measure_only"]:
            self.stdout.write(json.dumps(self.measure(opts, quiet=True)))
            return
        if connection.vendor != "postgresql" and not opts["allow_sqlite"]:
            raise CommandError("bench_pages measures PostgreSQL: set DATABASE_URL "
                               "(or --allow-sqlite for a smoke run).")
        if connection.vendor == "postgresql":
            # Created when it does not exist yet; a name without "bench" is refused (--flush
            # empties it).
            database_ensure()
        # A new bench database (or one behind the code) gets its tables first.
        call_command("migrate", interactive=False, verbosity=0)
        if opts["flush"]:
            call_command("flush", interactive=False, verbosity=0)
        large = (opts["households"], opts["referrals"], opts["alerts"])
        small = tuple(max(1, int(n * opts["fraction"])) for n in large)
        if Household.objects.count() > small[0]:
            raise CommandError("The database already holds more households than the small "
                               "scale; run with --flush on a bench database.")
        if connection.vendor != "postgresql":  # a smoke run: one scale after the other
            results = {}
            for label, scale in (("small", small), ("large", large)):
                self.build(*scale)
                results[label] = (scale, self.measure_in_child(opts))
            self.report(results)
            return
        self.build(*small)
        copy = self.database_copy()
        try:
            self.build(*large)
            self.report(self.measure_paired(opts, {"small": (small, copy),
                                                   "large": (large, None)}))
        finally:
            with database_admin() as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{copy}"')

    # --- data ----------------------------------------------------------------------

    def build(self, households, referrals, alerts):
        started = time.monotonic()
        self.stdout.write(f"building {households:,} households, {referrals:,} referrals, "
                          f"{alerts:,} open alerts …")
        seed_registry(households, seed=1)
        rows = list(Household.objects.values_list("id", "dong_id", "road_address",
                                                  "address_detail", "address_key",
                                                  "lives_alone"))
        rng = random.Random(len(rows))
        self.top_up_referrals(rows, referrals, rng)
        self.top_up_alerts(rows, alerts, rng)
        # The dashboard's data: as many closed alerts, a visit and a service link for
        # every other alerted household.
        self.top_up_closed_alerts(rows, alerts, rng)
        self.top_up_visits_and_links(alerts, rng)
        # Written in bulk, past the services: rebuild the dashboard rollups as the
        # nightly task does.
        dashboard_rollup_refresh()
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("VACUUM ANALYZE")
                # The build's writes reach the disk now, not while the pages are timed:
                # PostgreSQL's dirty buffers (CHECKPOINT), then the kernel's (sync).
                # Without that, the large scale was timed during the flush of its own
                # build: p50 150–206 ms, against 123–128 ms minutes later.
                try:
                    cursor.execute("CHECKPOINT")
                except DatabaseError as error:  # needs superuser or pg_checkpoint
                    self.stdout.write(f"  (no CHECKPOINT: {error}; timings may be noisy)")
        os.sync()
        self.stdout.write(f"  built in {time.monotonic() - started:.0f}s")

    def top_up_referrals(self, rows, target, rng):
        have = Referral.objects.count()
        today = timezone.localdate()
        concerns = Concern.values
        open_statuses = list(Referral.OPEN_STATUSES)
        channels = [c for c in Referral.Channel.values]
        for start in range(have, target, BATCH):
            batch = []
            for _ in range(start, min(start + BATCH, target)):
                hh = rows[rng.randrange(len(rows))]
                urgency = rng.choice([1, 2, 2, 3, 3])
                opened = today - timedelta(days=rng.randint(0, 120))
                is_open = rng.random() < OPEN_SHARE
                batch.append(Referral(
                    dong_id=hh[1], household_id=hh[0] if rng.random() < 0.7 else None,
                    channel=rng.choice(channels), urgency=urgency,
                    status=rng.choice(open_statuses) if is_open else Referral.Status.CLOSED,
                    categories=Referral.categories_value(rng.sample(concerns, 2)),
                    road_address=hh[2], address_detail=hh[3], address_key=hh[4],
                    subject_name="김민수", subject_name_key="김민수",
                    idempotency_key=uuid.uuid4().hex, due_on=due_date_for(urgency, opened),
                    close_reason="" if is_open else "no_need",
                ))
            with transaction.atomic():
                Referral.objects.bulk_create(batch, batch_size=BATCH)

    def top_up_alerts(self, rows, target, rng):
        have = DiscoveryAlert.objects.filter(status=DiscoveryAlert.Status.OPEN).count()
        if have >= target:
            return
        taken = set(DiscoveryAlert.objects.filter(status=DiscoveryAlert.Status.OPEN)
                    .values_list("household_id", flat=True))
        free = [r for r in rows if r[0] not in taken]
        rng.shuffle(free)
        chosen = free[: target - have]
        today = timezone.localdate()
        levels = [CrisisLevel.MEDIUM, CrisisLevel.HIGH, CrisisLevel.HIGH, CrisisLevel.CRITICAL]
        for start in range(0, len(chosen), BATCH):
            part = chosen[start:start + BATCH]
            with transaction.atomic():
                assessments = RiskAssessment.objects.bulk_create([
                    RiskAssessment(household_id=hh[0], score=rng.randint(40, 99),
                                   level=rng.choice(levels),
                                   factors=[BENCH_FACTORS[0], {"code": "factor_alone"}])
                    for hh in part
                ], batch_size=BATCH)
                DiscoveryAlert.objects.bulk_create([
                    DiscoveryAlert(household_id=hh[0], dong_id=hh[1], assessment_id=a.pk,
                                   level=a.level, score=a.score,
                                   due_on=today + timedelta(days=rng.randint(-5, 14)))
                    for hh, a in zip(part, assessments, strict=True)
                ], batch_size=BATCH)

    def top_up_closed_alerts(self, rows, target, rng):
        have = DiscoveryAlert.objects.exclude(status=DiscoveryAlert.Status.OPEN).count()
        now = timezone.now()
        reasons = ["supported", "no_need", "not_eligible", "other_agency", "case_opened"]
        levels = [CrisisLevel.LOW, CrisisLevel.MEDIUM, CrisisLevel.HIGH, CrisisLevel.CRITICAL]
        for start in range(have, target, BATCH):
            part = [rows[rng.randrange(len(rows))] for _ in range(start, min(start + BATCH,
                                                                               target))]
            with transaction.atomic():
                assessments = RiskAssessment.objects.bulk_create([
                    RiskAssessment(household_id=hh[0], score=rng.randint(20, 99),
                                   model_version=rng.choice([1, 2]), level=rng.choice(levels),
                                   factors=[rng.choice(BENCH_FACTORS), {"code": "factor_alone"}])
                    for hh in part
                ], batch_size=BATCH)
                alerts = []
                for hh, a in zip(part, assessments, strict=True):
                    opened = now - timedelta(days=rng.randint(20, 330))
                    alerts.append(DiscoveryAlert(
                        household_id=hh[0], dong_id=hh[1], assessment_id=a.pk,
                        level=a.level, score=a.score, status=DiscoveryAlert.Status.CLOSED,
                        due_on=(opened + timedelta(days=3)).date(),
                        first_contact_at=opened + timedelta(hours=rng.randint(2, 200)),
                        closed_at=opened + timedelta(days=rng.randint(5, 19)),
                        close_reason=rng.choice(reasons)))
                created = DiscoveryAlert.objects.bulk_create(alerts, batch_size=BATCH)
                for alert, original in zip(created, alerts, strict=True):
                    alert.opened_at = original.first_contact_at - timedelta(hours=1)
                DiscoveryAlert.objects.bulk_update(created, ["opened_at"], batch_size=BATCH)

    def top_up_visits_and_links(self, target, rng):
        from outreach.models import Visit
        from referrals.models import Service, ServiceLink
        from referrals.services import service_catalogue_seed

        service_catalogue_seed()
        services = list(Service.objects.prefetch_related("providers"))
        services = [(s, list(s.providers.all())) for s in services]
        services = [(s, providers) for s, providers in services if providers]
        staff = get_user_model().objects.get(username="staff1")
        have = Visit.objects.count()
        alerts = list(DiscoveryAlert.objects.order_by("id").values_list(
            "id", "household_id", "opened_at")[have: target])
        outcomes = ["met", "met", "not_home", "refused"]
        for start in range(0, len(alerts), BATCH):
            part = alerts[start:start + BATCH]
            with transaction.atomic():
                Visit.objects.bulk_create([
                    Visit(household_id=hh, alert_id=alert_id, staff=staff,
                          scheduled_for=opened + timedelta(days=1),
                          visited_at=opened + timedelta(days=1),
                          outcome=rng.choice(outcomes))
                    for alert_id, hh, opened in part
                ], batch_size=BATCH)
                links = []
                for _alert_id, hh, _opened in part[::2]:
                    service, providers = rng.choice(services)
                    status = rng.choice(["requested", "accepted", "completed", "declined"])
                    links.append(ServiceLink(
                        household_id=hh, service=service, provider=rng.choice(providers),
                        status=status, requested_by=staff,
                        actual_value=service.typical_value if status == "completed" else None))
                ServiceLink.objects.bulk_create(links, batch_size=BATCH)

    # --- timing --------------------------------------------------------------------

    def database_copy(self) -> str:
        """A copy of the database as it is now (the small scale), to time beside the large
        one; its name is this one's with "_small"."""
        name = connection.settings_dict["NAME"]
        copy = f"{name}_small"
        connection.close()  # a template database takes no other connection while copied
        with database_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{copy}"')
            admin.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"')
        return copy

    def measure_paired(self, opts, scales: dict) -> dict:
        """{label: (scale, database or None for this one)} timed request by request: one
        process per scale, both warmed up, then each target's requests in pairs, one to
        each scale, the order swapped every pair. A busy moment of the machine (seconds
        long) lands on both scales' requests alike, not on one scale's block. Returns
        {label: (scale, figures)}."""
        children = {label: self.child_start(opts, database)
                    for label, (_scale, database) in scales.items()}
        try:
            ready = {label: json.loads(self.answer(child)) for label, child in children.items()}
            times: dict = {label: {} for label in scales}
            labels = list(scales)
            for name, _url, _user in TARGETS:
                for run in range(opts["runs"]):
                    for label in labels if run % 2 == 0 else labels[::-1]:
                        child = children[label]
                        child.stdin.write(name + "\n")
                        child.stdin.flush()
                        times[label].setdefault(name, []).append(float(self.answer(child)))
        finally:
            for child in children.values():
                child.stdin.close()
                child.wait(timeout=60)
                child.errors.close()
        return {label: (scale, {name: {**figures(ms), "queries": ready[label][name]}
                                for name, ms in times[label].items()})
                for label, (scale, _database) in scales.items()}

    def child_start(self, opts, database: str | None) -> subprocess.Popen:
        """A timing process on ``database`` (this one when None): it warms every target
        up, prints their query counts as a JSON line, then answers each target name read
        from its input with that request's milliseconds."""
        command = [sys.executable, sys.argv[0], "bench_pages", "--serve",
                   "--warmup", str(opts["warmup"]), "--user", opts["user"]]
        # Its errors to a file, not a pipe nobody reads while it runs (a full pipe stalls it).
        errors = tempfile.TemporaryFile()
        child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=errors, text=True, bufsize=1,
                                 env=self.child_env(database))
        child.errors = errors
        return child

    @staticmethod
    def answer(child: subprocess.Popen) -> str:
        """The timing process's next line; what it said on its way out if it has ended."""
        line = child.stdout.readline()
        if not line:
            child.wait(timeout=60)
            child.errors.seek(0)
            raise CommandError("a timing process ended: "
                               + child.errors.read()[-2000:].decode(errors="replace"))
        return line

    @staticmethod
    def child_env(database: str | None) -> dict:
        env = {**os.environ, "LOG_LEVEL": "WARNING"}
        if database:
            url = urlsplit(env["DATABASE_URL"])
            env["DATABASE_URL"] = urlunsplit(url._replace(path=f"/{database}"))
        return env

    def serve(self, opts) -> None:
        """--serve: the timing process of measure_paired."""
        clients, queries = {}, {}
        for name, url, username in TARGETS:
            client, queries[name] = self.warm(opts, url, username)
            clients[name] = (client, url)
        out = sys.stdout  # a line at a time: the parent waits for each
        out.write(json.dumps(queries) + "\n")
        out.flush()
        for line in sys.stdin:
            client, url = clients[line.strip()]
            started = time.perf_counter()
            self._get(client, url)
            out.write(f"{(time.perf_counter() - started) * 1000:.3f}\n")
            out.flush()

    def measure_in_child(self, opts, quiet=False) -> dict:
        """Time in a fresh process, so both scales start from the same interpreter state
        (the smoke run on SQLite)."""
        command = [sys.executable, sys.argv[0], "bench_pages", "--measure-only",
                   "--runs", str(opts["runs"]), "--warmup", str(opts["warmup"]),
                   "--user", opts["user"]]
        if opts["allow_sqlite"]:
            command.append("--allow-sqlite")
        done = subprocess.run(command, capture_output=True, text=True,
                              env=self.child_env(None), check=False)
        if done.returncode:
            raise CommandError(done.stderr[-2000:])
        out = json.loads(done.stdout.strip().splitlines()[-1])
        for name, row in out.items() if not quiet else ():
            self.stdout.write(f"  {name:<20} p50 {row['p50']:7.1f} ms   p95 {row['p95']:7.1f} ms"
                              f"   {row['queries']} queries")
        return out

    def measure(self, opts, quiet=False) -> dict:
        out = {}
        for name, url, username in TARGETS:
            client, queries = self.warm(opts, url, username)
            times = []
            for _ in range(opts["runs"]):
                started = time.perf_counter()
                self._get(client, url)
                times.append((time.perf_counter() - started) * 1000)
            out[name] = {**figures(times), "queries": queries}
            if not quiet:
                self.stdout.write(f"  {name:<20} p50 {out[name]['p50']:7.1f} ms   p95 "
                                  f"{out[name]['p95']:7.1f} ms   {out[name]['queries']} queries")
        return out

    def warm(self, opts, url: str, username: str) -> tuple[Client, int]:
        """A client of the page's user after the warm-up, and the queries one request of
        the page makes."""
        client = self.client_for(opts, username)
        for _ in range(opts["warmup"]):
            self._get(client, url)
        # With DEBUG on, the query log is a full 9,000-entry deque after the build.
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            self._get(client, url)
        return client, len(captured.captured_queries)

    @staticmethod
    def client_for(opts, username: str) -> Client:
        """A logged-in client; --user stands in for staff1."""
        if opts["user"] != "staff1" and username == "staff1":
            username = opts["user"]
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        return client

    def _get(self, client, url):
        response = client.get(url, HTTP_HOST=settings.ALLOWED_HOSTS[0]
                              if settings.ALLOWED_HOSTS and settings.ALLOWED_HOSTS[0] != "*"
                              else "testserver")
        if response.status_code != 200:
            raise CommandError(f"GET {url} answered {response.status_code}")
        return response

    def report(self, results):
        small, large = results["small"][1], results["large"][1]
        self.stdout.write("")
        self.stdout.write(f"{'target':<20} {'scale':<7} {'households':>10} {'referrals':>9} "
                          f"{'alerts':>7} {'min ms':>7} {'p50 ms':>8} {'p95 ms':>8} {'queries':>7}")
        for name, _url, _user in TARGETS:
            for label, (scale, data) in (("small", results["small"]),
                                         ("large", results["large"])):
                row = data[name]
                self.stdout.write(
                    f"{name:<20} {label:<7} {scale[0]:>10,} {scale[1]:>9,} {scale[2]:>7,} "
                    f"{row['min']:>7.1f} {row['p50']:>8.1f} {row['p95']:>8.1f} {row['queries']:>7}"
                )
        self.stdout.write("")
        for name, _url, _user in TARGETS:
            ratio = large[name]["p95"] / small[name]["p95"]
            verdict = "OK" if ratio <= TARGET_GROWTH else "OVER TARGET"
            p50_ratio = large[name]["p50"] / small[name]["p50"]
            self.stdout.write(f"p95 growth {name:<20} {ratio:5.2f}×  (target ≤ {TARGET_GROWTH}×) "
                              f"{verdict}"
                              f"   (p50 {p50_ratio:4.2f}×)")
        self.stdout.write(f"load average during the run: {os.getloadavg()[0]:.1f} on "
                          f"{os.cpu_count()} CPUs (timings on a busy machine are noisy)")
