"""Benchmark: agency files of 100,000, 1,000,000 and 10,000,000 rows, upload to alerts with
real workers, each against a raw COPY of the same file in the same run.

Needs PostgreSQL and Redis (DATABASE_URL, CELERY_BROKER_URL); the database's name must
contain "bench" (each round is cleared away: signals, assessments, alerts and timeline
are truncated). Creates and migrates the database when it is new, seeds the demo
district (--households), then per size: writes a CP949 round (_bench_round), starts
`celery worker --pool=solo` processes on a private queue, times upload → batch done,
reads the workers' peak RSS and the CPU seconds of the workers and of PostgreSQL, and
times COPY of the file into an unlogged table of text columns without an index (three
loads; their median is the ratio's baseline). The last line printed is the 1,000,000-row
result. With --profile, each round also prints where the workers' time went
(_bench_profile).
"""

import itertools
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from households.demo import seed_registry
from households.models import Household, Organization
from outreach.demo_signals import HEADER
from outreach.management.commands import _bench_profile
from outreach.management.commands._bench_round import district_people, write_round
from outreach.models import SignalBatch
from outreach.selectors.assessments import risk_model_current
from outreach.services.signal_batches import signal_batch_receive

# Cleared after each round (a bench database only).
ROUND_TABLES = ["outreach_signalbatch", "outreach_risksignal", "outreach_riskassessment",
                "outreach_discoveryalert", "outreach_historicaldiscoveryalert",
                "households_timelineevent"]
# The raw COPY is timed so many times per round; the baseline is their median.
COPY_LOADS = 3
SIZE_TABLES = ["outreach_risksignal", "outreach_riskassessment", "outreach_discoveryalert",
               "households_timelineevent"]


def _us(seconds: float, rows: int) -> float:
    """Microseconds a row."""
    return seconds / rows * 1e6


def database_ensure() -> None:
    """Create the database when it does not exist yet (then migrate it)."""
    name = connection.settings_dict["NAME"]
    if "bench" not in name:
        raise CommandError(f"bench_signals clears its tables: use a database whose name "
                           f"contains 'bench' (DATABASE_URL names {name!r})")
    with database_admin() as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')


def database_admin() -> psycopg.Connection:
    """A connection to the server's maintenance database, as the project's user (to create,
    copy or drop a bench database)."""
    params = connection.get_connection_params()
    for name in ("dbname", "cursor_factory", "context", "prepare_threshold"):
        params.pop(name, None)
    return psycopg.connect(dbname="postgres", autocommit=True, **params)


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (so state is [0])."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def cpu_seconds(pids, *, reaped: bool = False) -> float:
    """User + system CPU seconds of these processes so far; with ``reaped``, only those of
    their children that already exited."""
    first = 13 if reaped else 11  # cutime, cstime or utime, stime
    fields = (_stat(pid) for pid in pids)
    return sum(int(f[first]) + int(f[first + 1]) for f in fields if f) / os.sysconf(
        "SC_CLK_TCK")


def postgres_cpu_seconds() -> float:
    """CPU seconds of the PostgreSQL processes alive now, plus those of the backends that
    already exited (the postmaster's reaped children: a backend per task connection)."""
    pids = postgres_pids()
    postmaster = [pid for pid in pids if (_stat(pid) or ["", ""])[1] == "1"]
    return cpu_seconds(pids) + cpu_seconds(postmaster, reaped=True)


def postgres_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in ("postgres", "postmaster"):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


class Workers:
    """Solo-pool Celery workers on a private queue, with their peak RSS watched."""

    def __init__(self, count: int, log_path: Path, env: dict, include: Sequence[str] = ()):
        queue = f"bench-{uuid.uuid4().hex[:8]}"
        from config.celery import app

        app.conf.task_default_queue = queue
        self.log = open(log_path, "ab")  # noqa: SIM115
        self.procs = [
            subprocess.Popen(
                [str(Path(sys.executable).parent / "celery"), "-A", "config", "worker",
                 "--pool=solo", "-Q", queue, "-l", "warning", "--without-gossip",
                 "--without-mingle", "--without-heartbeat", "-n", f"bench{n}@%h",
                 *(f"--include={module}" for module in include)],
                cwd=settings.BASE_DIR, env={**os.environ, **env, "CELERY_QUEUE": queue},
                start_new_session=True, stdout=self.log, stderr=subprocess.STDOUT)
            for n in range(count)
        ]
        self.peak_kb = 0
        self.stop = threading.Event()
        self.watcher = threading.Thread(target=self._watch, daemon=True)
        self.watcher.start()

    def _watch(self):
        while not self.stop.is_set():
            for proc in self.procs:
                try:
                    status = Path(f"/proc/{proc.pid}/status").read_text()
                except OSError:
                    continue
                for line in status.splitlines():
                    if line.startswith("VmHWM:"):
                        self.peak_kb = max(self.peak_kb, int(line.split()[1]))
            self.stop.wait(0.2)

    def close(self):
        self.cpu_s = cpu_seconds(proc.pid for proc in self.procs)
        self.stop.set()
        for proc in self.procs:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        self.watcher.join(2)
        self.log.close()


class Command(BaseCommand):
    help = "Time risk-signal files from upload to alerts with real workers, against COPY."

    def add_arguments(self, parser):
        parser.add_argument("--rows", default="100000,1000000,10000000",
                            help="comma-separated sizes")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--households", type=int, default=200_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--keep-files", action="store_true")
        parser.add_argument("--profile", action="store_true",
                            help="time each task, parse step and statement in the workers "
                                 "and print where each round's time went")

    def handle(self, *args, rows, workers, households, seed, keep_files, profile, **options):
        self.profile = profile
        if connection.vendor != "postgresql" or settings.CELERY_TASK_ALWAYS_EAGER:
            raise CommandError("bench_signals needs PostgreSQL (DATABASE_URL) and Redis "
                               "(CELERY_BROKER_URL)")
        database_ensure()
        call_command("migrate", verbosity=0)
        sizes = [int(n) for n in rows.split(",")]
        self.stdout.write(f"seeding the demo district to {households:,} households …")
        seed_registry(households, seed)
        risk_model_current()
        # A registry in use is vacuumed and analysed; one seeded a minute ago is not yet.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE households_household, households_person")
        self.source, _ = Organization.objects.get_or_create(
            code="bench", defaults={"name": "벤치마크", "kind": Organization.Kind.PUBLIC})
        # The seeded registry is the first --households households; any later one is a
        # candidate an earlier round created.
        self.seeded_max = Household.objects.order_by("id").values_list(
            "id", flat=True)[households - 1]
        self.round_clear()
        self.households = Household.objects.count()
        people = district_people()
        self.stdout.write(f"  {self.households:,} households, {len(people):,} registered "
                          f"people")
        # A 10-million-row file is ~750 MB: past the upload page's limit, not the bench's.
        settings.SIGNAL_UPLOAD_MAX_BYTES = 1 << 40
        workdir = Path(tempfile.mkdtemp(prefix="bench-signals-"))
        results = []
        try:
            for size in sizes:
                results.append(self.run_round(size, workers, workdir, people, keep_files))
        finally:
            if not keep_files:
                for path in workdir.glob("*.csv"):
                    path.unlink()
        self.report(results)

    def round_clear(self):
        """Away with the last round: its batches, signals, verdicts, and the candidate
        households it created."""
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(ROUND_TABLES)} CASCADE")
            if getattr(self, "seeded_max", None):
                cursor.execute("DELETE FROM households_person WHERE household_id > %s",
                               [self.seeded_max])
                cursor.execute("DELETE FROM households_household WHERE id > %s",
                               [self.seeded_max])
        for path in Path(settings.MEDIA_ROOT, "signal_batches").rglob("*"):
            if path.is_file() and path.parent.name != "incoming":
                path.unlink()

    def run_round(self, size, workers, workdir, people, keep_files) -> dict:
        path = workdir / f"signals-{size}-cp949.csv"
        self.stdout.write(f"\n== {size:,} rows: writing the round (CP949) …")
        started = time.monotonic()
        counts = write_round(path, rows=size, today=timezone.localdate(), rng_seed=size,
                             people=people)
        self.stdout.write(
            f"  {path.stat().st_size / 1e6:.0f} MB in {time.monotonic() - started:.0f}s: "
            f"{counts['district_rows']:,} about the district's people, "
            f"{counts['outsider_rows']:,} about people registered elsewhere, "
            f"{counts['unregistered_rows']:,} at unregistered addresses, "
            f"{counts['bad_rows']:,} bad")
        env = {"SIGNAL_UPLOAD_MAX_BYTES": str(1 << 40)}
        if self.profile:
            env[_bench_profile.ENV] = str(workdir)
        pool = Workers(workers, workdir / "workers.log", env,
                       include=[_bench_profile.__name__] if self.profile else [])
        try:
            time.sleep(3)  # workers connect
            started = time.monotonic()
            workers_cpu = cpu_seconds(proc.pid for proc in pool.procs)
            database_cpu = postgres_cpu_seconds()
            with path.open("rb") as f:
                batch, _created = signal_batch_receive(
                    source=self.source, fileobj=f, filename=path.name,
                    channel=SignalBatch.Channel.COMMAND)
            last = ""
            # When each phase was first seen (to the poll's 0.1 s), with the CPU so far.
            marks = {"received": (0.0, workers_cpu, database_cpu)}
            while True:
                batch.refresh_from_db()
                if batch.status not in marks:
                    marks[batch.status] = (time.monotonic() - started, cpu_seconds(
                        proc.pid for proc in pool.procs), postgres_cpu_seconds())
                if batch.finished:
                    break
                now = (f"  {batch.status} {batch.chunks.filter(status='done').count()}/"
                       f"{batch.chunks_total + batch.score_chunks_total} chunks")
                if now != last:
                    self.stdout.write(f"{now} at {time.monotonic() - started:.1f}s")
                    last = now
                time.sleep(0.1)
            end_to_end = time.monotonic() - started
            database_cpu = postgres_cpu_seconds() - database_cpu
        finally:
            pool.close()
        workers_cpu = pool.cpu_s - workers_cpu
        if batch.status != SignalBatch.Status.DONE:
            raise CommandError(f"batch {batch.pk} failed: {batch.failure_reason} "
                               f"(worker log: {workdir / 'workers.log'})")
        alerted = batch.alerts_opened + batch.alerts_updated
        self.stdout.write(
            f"  batch {batch.pk}: accepted {batch.accepted:,}, rejected {batch.rejected:,}, "
            f"duplicates {batch.duplicates:,}, matched {batch.matched_people:,}, "
            f"unregistered {batch.unregistered_candidates:,}, unmatched "
            f"{batch.unmatched:,}, scored {batch.households_scored:,}, alerts "
            f"+{batch.alerts_opened:,} ~{batch.alerts_updated:,} "
            f"({alerted / self.households:.1%} of households)")
        self.stdout.write(
            f"  CPU: workers {workers_cpu:.1f}s, PostgreSQL {database_cpu:.1f}s "
            f"({(workers_cpu + database_cpu) / end_to_end:.2f} cores busy on average)")
        self.stdout.write("  " + self.phases(marks))
        if self.profile:
            self.stdout.write("\n".join(f"  {line}" for line in
                                        _bench_profile.profile_report(workdir)))
        size_mb, signals_mb, stored = self.tables_mb()
        copy_s, copies = self.copy_baseline(path)
        self.stdout.write(f"  raw COPY of the file: {' / '.join(f'{t:.2f}' for t in copies)}s"
                          f" (the median is the baseline)")
        if not keep_files:
            path.unlink()
        self.round_clear()
        result = dict(rows=size, end_to_end_s=end_to_end, copy_s=copy_s,
                      workers_cpu_s=workers_cpu, database_cpu_s=database_cpu,
                      peak_rss_mb=pool.peak_kb / 1024, alerted=alerted, db_mb=size_mb,
                      signals_mb=signals_mb, stored=stored)
        self.stdout.write(self.line(result) + f" alerted_share={alerted / self.households:.4f}"
                          f" db_mb={size_mb:.0f} signals_mb={signals_mb:.0f}"
                          f" cpu_us_per_row="
                          f"{_us(workers_cpu + database_cpu, size):.1f}")
        return result

    @staticmethod
    def phases(marks: dict) -> str:
        """Each phase's seconds and CPU seconds (workers / PostgreSQL): received (the upload
        stored, the file split into chunks), parsing, scoring."""
        names = [name for name in ("received", "parsing", "scoring", "done") if name in marks]
        parts = []
        for name, after in itertools.pairwise(names):
            (t0, w0, d0), (t1, w1, d1) = marks[name], marks[after]
            parts.append(f"{name} {t1 - t0:.1f}s (CPU {w1 - w0:.1f}/{d1 - d0:.1f}s)")
        return "phases: " + ", ".join(parts)

    def tables_mb(self) -> tuple[float, float, int]:
        """(MB of the round's tables, MB of the signals table alone), indexes included, and
        the signals stored (unmatched rows without an address are counted, not kept)."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT sum(pg_total_relation_size(t::regclass)), "
                           "pg_total_relation_size('outreach_risksignal'), "
                           "(SELECT count(*) FROM outreach_risksignal) FROM "
                           "unnest(%s::text[]) t", [SIZE_TABLES])
            total, signals, stored = cursor.fetchone()
            return float(total) / 1e6, float(signals) / 1e6, stored

    @staticmethod
    def line(r: dict) -> str:
        return (f"bench_signals rows={r['rows']} end_to_end_s={r['end_to_end_s']:.1f} "
                f"rows_per_s={r['rows'] / r['end_to_end_s']:.0f} copy_s={r['copy_s']:.2f} "
                f"ratio={r['end_to_end_s'] / r['copy_s']:.1f} "
                f"peak_rss_mb={r['peak_rss_mb']:.0f}")

    def report(self, results):
        self.stdout.write("\n== summary")
        for r in results:
            self.stdout.write(
                f"  {r['rows']:>10,} rows: {r['end_to_end_s']:7.1f}s "
                f"{r['rows'] / r['end_to_end_s']:>8,.0f} rows/s, COPY {r['copy_s']:.2f}s, "
                f"ratio {r['end_to_end_s'] / r['copy_s']:.1f}, per row "
                f"{_us(r['end_to_end_s'], r['rows']):.1f} µs (CPU "
                f"{_us(r['workers_cpu_s'], r['rows']):.1f} µs in the workers + "
                f"{_us(r['database_cpu_s'], r['rows']):.1f} µs in PostgreSQL), peak RSS "
                f"{r['peak_rss_mb']:.0f} MB; {r['stored']:,} signals stored, "
                f"{r['signals_mb'] / max(r['stored'], 1) * 1e6:.0f} MB per million (the "
                f"signals table) and {r['db_mb'] / r['rows'] * 1e6:.0f} MB per million rows "
                f"of the round (with assessments, alerts, timeline)")
        by_size = {r["rows"]: r for r in results}
        small, large = min(by_size), max(by_size)
        if small != large:
            per_row = {n: by_size[n]["end_to_end_s"] / n for n in (small, large)}
            self.stdout.write(f"  per-row cost at {large:,} / at {small:,}: "
                              f"{per_row[large] / per_row[small]:.2f}")
        headline = by_size.get(1_000_000) or by_size[large]
        self.stdout.write(self.line(headline))

    def copy_baseline(self, path: Path) -> tuple[float, list[float]]:
        """(median, each) seconds of COPY_LOADS raw loads of the file: one load's time
        varied by a third between runs on this 2-core machine (0.82-1.34 s at 1,000,000
        rows), and it is the ratio's denominator."""
        times = sorted(self.copy_once(path) for _ in range(COPY_LOADS))
        return statistics.median(times), times

    @staticmethod
    def copy_once(path: Path) -> float:
        columns = ", ".join(f"c{n} text" for n in range(len(HEADER)))
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_signals_copy")
            cursor.execute(f"CREATE UNLOGGED TABLE bench_signals_copy ({columns})")
            started = time.monotonic()
            raw = cursor.cursor  # psycopg 3
            with path.open("rb") as f, raw.copy(
                "COPY bench_signals_copy FROM STDIN WITH (FORMAT csv, HEADER true, "
                "ENCODING 'UHC')"
            ) as copy:
                while block := f.read(1 << 20):
                    copy.write(block)
            elapsed = time.monotonic() - started
            cursor.execute("DROP TABLE bench_signals_copy")
        return elapsed
