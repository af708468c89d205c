"""Benchmark: an agency file of N rows, upload to alerts with real workers, against COPY.

Needs PostgreSQL and Redis (DATABASE_URL, CELERY_BROKER_URL). Starts its own
`celery worker --pool=solo` processes on a private queue, seeds the demo district
(seed_demo --households), writes a CP949 file, times upload → every alert, then times
PostgreSQL COPY of the same file into an unlogged scratch table of text columns.
The last line printed is the result.
"""

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from households.demo import seed_registry
from households.models import Organization
from outreach.demo_signals import HEADER, signal_rows, write_csv
from outreach.models import SignalBatch
from outreach.selectors.assessments import risk_model_current
from outreach.services.signal_batches import signal_batch_receive


class Command(BaseCommand):
    help = "Time a risk-signal file from upload to alerts with real workers, against COPY."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=1_000_000)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--households", type=int, default=200_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--keep-file", action="store_true")

    def handle(self, *args, rows, workers, households, seed, keep_file, **options):
        if connection.vendor != "postgresql" or settings.CELERY_TASK_ALWAYS_EAGER:
            raise CommandError("bench_signals needs PostgreSQL (DATABASE_URL) and Redis "
                               "(CELERY_BROKER_URL)")
        self.stdout.write(f"seeding the demo district to {households:,} households …")
        seed_registry(households, seed)
        risk_model_current()
        source, _ = Organization.objects.get_or_create(
            code="bench", defaults={"name": "벤치마크", "kind": Organization.Kind.PUBLIC})
        # A fresh run each time: earlier bench batches (and their signals) go.
        SignalBatch.objects.filter(source=source).delete()

        workdir = Path(tempfile.mkdtemp(prefix="bench-signals-"))
        path = workdir / "signals-cp949.csv"
        self.stdout.write(f"writing {rows:,} rows (CP949) …")
        started = time.monotonic()
        written = write_csv(path, signal_rows(seed=seed, rows=rows, observed=date.today(),
                                              rng_seed=random.randrange(1 << 30)))
        self.stdout.write(f"  {path.stat().st_size / 1e6:.0f} MB in "
                          f"{time.monotonic() - started:.0f}s")

        queue = f"bench-{uuid.uuid4().hex[:8]}"
        env = {**os.environ, "CELERY_QUEUE": queue}
        from config.celery import app

        app.conf.task_default_queue = queue
        worker_log = open(workdir / "workers.log", "wb")  # noqa: SIM115
        procs = [
            subprocess.Popen(
                [str(Path(sys.executable).parent / "celery"), "-A", "config", "worker",
                 "--pool=solo", "-Q", queue, "-l", "warning", "--without-gossip",
                 "--without-mingle", "--without-heartbeat", "-n", f"bench{n}@%h"],
                cwd=settings.BASE_DIR, env=env, start_new_session=True,
                stdout=worker_log, stderr=subprocess.STDOUT,
            )
            for n in range(workers)
        ]
        peak = {"kb": 0}
        stop = threading.Event()

        def watch_rss():
            while not stop.is_set():
                for proc in procs:
                    try:
                        status = Path(f"/proc/{proc.pid}/status").read_text()
                    except OSError:
                        continue
                    for line in status.splitlines():
                        if line.startswith("VmHWM:"):
                            peak["kb"] = max(peak["kb"], int(line.split()[1]))
                stop.wait(0.2)

        watcher = threading.Thread(target=watch_rss, daemon=True)
        watcher.start()
        try:
            time.sleep(3)  # workers connect
            self.stdout.write(f"importing with {workers} worker(s) …")
            started = time.monotonic()
            with path.open("rb") as f:
                batch, _created = signal_batch_receive(
                    source=source, fileobj=f, filename=path.name,
                    channel=SignalBatch.Channel.COMMAND)
            last = ""
            while True:
                batch.refresh_from_db()
                if batch.finished:
                    break
                now = f"  {batch.status} {batch.chunks.filter(status='done').count()}/" \
                      f"{batch.chunks_total + batch.score_chunks_total} chunks"
                if now != last:
                    self.stdout.write(now)
                    last = now
                time.sleep(0.5)
            end_to_end = time.monotonic() - started
        finally:
            stop.set()
            for proc in procs:
                os.killpg(proc.pid, signal.SIGTERM)
            for proc in procs:
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
            watcher.join(2)
            worker_log.close()
        if batch.status != SignalBatch.Status.DONE:
            raise CommandError(f"batch {batch.pk} failed: {batch.failure_reason} "
                               f"(worker log: {workdir / 'workers.log'})")
        self.stdout.write(
            f"  batch {batch.pk}: accepted {batch.accepted:,}, rejected {batch.rejected:,}, "
            f"duplicates {batch.duplicates:,}, matched {batch.matched_people:,}, "
            f"unregistered {batch.unregistered_candidates:,}, scored "
            f"{batch.households_scored:,}, alerts +{batch.alerts_opened:,} "
            f"~{batch.alerts_updated:,}")

        copy_s = self.copy_baseline(path)
        if not keep_file:
            shutil.rmtree(workdir)
        self.stdout.write(
            f"bench_signals rows={written} end_to_end_s={end_to_end:.1f} "
            f"rows_per_s={written / end_to_end:.0f} copy_s={copy_s:.2f} "
            f"ratio={end_to_end / copy_s:.1f} peak_rss_mb={peak['kb'] / 1024:.0f}"
        )

    def copy_baseline(self, path: Path) -> float:
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
