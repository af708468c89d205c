"""Benchmark: agency files with a bad part each (a 300,000-character cell, a 30 MB line, a
damaged XLSX sheet) run from upload to scored alerts in this process, the embedded mode,
where the web process does all the work. Prints, per file, the rows imported and scored,
the bad part's rejected line, the time, and this process's peak memory (VmHWM) against
the same run's baseline: the same rows without the bad part.
"""

import random
import shutil
import tempfile
import time
import zipfile
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand

from config.celery import app as celery_app
from households.demo import seed_registry
from households.messages import message_text
from households.models import Organization
from outreach.demo_signals import signal_rows, write_csv, write_xlsx
from outreach.models import SignalBatch, SignalRejection
from outreach.selectors.assessments import risk_model_current
from outreach.selectors.signal_batches import signal_batch_summary
from outreach.services.signal_batches import signal_batch_receive


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _reset_peak() -> None:
    # Writing "5" to clear_refs resets VmHWM to the current RSS (Linux).
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


FILES = ("baseline", "300k-cell", "30MB-line", "damaged-xlsx")


class Command(BaseCommand):
    help = "Files with one bad part each: every valid row imported, the bad part rejected."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=1_000_000)
        parser.add_argument("--xlsx-rows", type=int, default=50_000)
        parser.add_argument("--households", type=int, default=20_000)
        parser.add_argument("--seed", type=int, default=1)
        # One file in this process: its peak is then that file's alone (an earlier file's
        # memory is not handed back to the system within one process).
        parser.add_argument("--only", choices=FILES, default=None)

    def handle(self, *args, rows, xlsx_rows, households, seed, only=None, **options):
        celery_app.conf.task_always_eager = True
        seed_registry(households, seed)
        risk_model_current()
        source, _ = Organization.objects.get_or_create(
            code="bench-bad", defaults={"name": "벤치마크(불량)", "kind": Organization.Kind.PUBLIC})
        SignalBatch.objects.filter(source=source).delete()
        workdir = Path(tempfile.mkdtemp(prefix="bench-bad-"))
        rng = random.randrange(1 << 30)
        try:
            makers = {
                "baseline": lambda: self._csv(workdir / "baseline.csv", rows, seed, rng, None),
                "300k-cell": lambda: self._csv(workdir / "cell.csv", rows, seed, rng, "cell"),
                "30MB-line": lambda: self._csv(workdir / "line.csv", rows, seed, rng, "line"),
                "damaged-xlsx": lambda: self._damaged_xlsx(workdir, xlsx_rows, seed, rng),
            }
            files = [(name, makers[name]()) for name in FILES if only in (None, name)]
            for name, path in files:
                SignalBatch.objects.filter(source=source).delete()
                self._run(name, path, source)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

    def _csv(self, path, rows, seed, rng, bad):
        generated = signal_rows(seed=seed, rows=rows, observed=date.today(), rng_seed=rng,
                                bad_share=0)
        write_csv(path, generated)
        if bad:
            data = path.read_bytes()
            # After the header and 1,000 rows: a line of its own, in the middle of a chunk.
            cut = 0
            for _n in range(1001):
                cut = data.index(b"\n", cut) + 1
            if bad == "cell":
                extra = ("," * 3 + '"' + "가" * 300_000 + '"' + "," * 6 + "\r\n").encode("cp949")
            else:
                extra = b"x" * (30 * 1024 * 1024) + b"\r\n"
            path.write_bytes(data[:cut] + extra + data[cut:])
        return path

    def _damaged_xlsx(self, workdir, rows, seed, rng):
        good = workdir / "good.xlsx"
        write_xlsx(good, signal_rows(seed=seed, rows=rows, observed=date.today(), rng_seed=rng,
                                     bad_share=0))
        damaged = workdir / "damaged.xlsx"
        with zipfile.ZipFile(good) as src, zipfile.ZipFile(damaged, "w",
                                                           zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                data = src.read(item.filename)
                if item.filename.endswith("sheet1.xml"):
                    if b"<dimension" not in data:
                        data = data.replace(b"<sheetData",
                                            f'<dimension ref="A1:K{rows + 1}"/><sheetData'
                                            .encode(), 1)
                    cut = data.index(f'<row r="{rows // 2}"'.encode())
                    data = data[:cut] + b'<row r="x"><c><is><t>'
                dst.writestr(item.filename, data)
        return damaged

    def _run(self, name, path, source):
        _reset_peak()
        before = _peak_mb()
        started = time.monotonic()
        with open(path, "rb") as f:
            batch, _created = signal_batch_receive(source=source, fileobj=f,
                                                   filename=path.name, channel="command")
        batch.refresh_from_db()
        seconds = time.monotonic() - started
        summary = signal_batch_summary(batch)
        rejected = [(r.line, message_text(r.message) if r.message else r.reason)
                    for r in SignalRejection.objects.filter(batch=batch).order_by("line")[:3]]
        self.stdout.write(
            f"bench_bad_files file={name} size_mb={path.stat().st_size / 1e6:.0f} "
            f"status={batch.status} rows={summary['rows']} accepted={summary['accepted']} "
            f"rejected={summary['rejected']} households_scored={summary['households_scored']} "
            f"seconds={seconds:.1f} rss_start_mb={before:.0f} peak_rss_mb={_peak_mb():.0f} "
            f"first_rejections={[(line, reason[:40]) for line, reason in rejected]}")
