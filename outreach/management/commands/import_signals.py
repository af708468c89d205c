"""import_signals: load an agency's risk-signal file from the command line."""

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from households.models import Organization
from outreach.models import SignalBatch
from outreach.selectors.signal_batches import signal_batch_summary
from outreach.services.signal_batches import signal_batch_receive
from outreach.signal_files import FileRejected


class Command(BaseCommand):
    help = "Import an agency risk-signal file (CSV/XLSX), wait for it and print a summary."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--source", required=True, help="sending organisation code (ssis …)")
        parser.add_argument("--encoding", default="auto",
                            choices=["auto", "cp949", "euc-kr", "utf-8", "utf-8-sig"])
        parser.add_argument("--json", action="store_true", help="last line: one JSON object")
        parser.add_argument("--no-wait", action="store_true")
        parser.add_argument("--timeout", type=float, default=3600)

    def handle(self, *args, path, source, encoding, json: bool, no_wait, timeout, **options):
        organization = Organization.objects.filter(code=source).first()
        if organization is None:
            raise CommandError(f"unknown --source {source!r}: no Organization with that code")
        file_path = Path(path)
        if not file_path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            with file_path.open("rb") as f:
                batch, created = signal_batch_receive(
                    source=organization, fileobj=f, filename=file_path.name,
                    channel=SignalBatch.Channel.COMMAND, encoding=encoding,
                )
        except FileRejected as exc:
            raise CommandError(exc.message) from exc
        if not created:
            self.stderr.write(f"same file as batch {batch.pk}: nothing imported again")
        deadline = time.monotonic() + timeout
        while not no_wait:
            batch.refresh_from_db()
            if batch.finished:
                break
            if time.monotonic() > deadline:
                raise CommandError(f"batch {batch.pk} not finished after {timeout:.0f}s "
                                   f"(status {batch.status})")
            time.sleep(0.2)
        summary = signal_batch_summary(batch)
        if not json:
            self.stdout.write(
                f"batch {batch.pk}: {summary['status']} — rows {summary['rows']}, accepted "
                f"{summary['accepted']}, rejected {summary['rejected']}, duplicates "
                f"{summary['duplicates']}, matched {summary['matched_people']}, unregistered "
                f"{summary['unregistered_candidates']}, unmatched {summary['unmatched']}, "
                f"households scored {summary['households_scored']}, alerts opened "
                f"{summary['alerts_opened']}, updated {summary['alerts_updated']}"
            )
            for error in summary["errors"][:20]:
                self.stdout.write(f"  {error['line']}행 {error['column']}: {error['reason']}")
            if batch.failure_reason:
                self.stdout.write(f"  failed: {batch.failure_reason}")
        else:
            self.stdout.write(_dumps(summary))
        if batch.status == SignalBatch.Status.FAILED:
            raise SystemExit(1)


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False)
