"""seed_demo: the demo district (영등포구), its logins, catalogue, three years of history,
this month's signals and pairings; the dashboards' rollups rebuilt at the end."""

import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from config.celery import app as celery_app
from households.demo import DEMO_LOGINS, seed_registry
from households.models import Organization
from outreach.demo_history import HISTORY_MAX_HOUSEHOLDS, demo_history_seed
from outreach.demo_signals import signal_rows, write_csv
from outreach.models import SignalBatch
from outreach.selectors.assessments import risk_model_current
from outreach.services.signal_batches import signal_batch_receive

DEMO_FILE = "demo-ssis-signals.csv"


class Command(BaseCommand):
    help = "영등포구 demo district: 18 행정동, synthetic households, a login per role; idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--quiet-logins", action="store_true",
                            help="do not print the demo logins")
        parser.add_argument("--signals", type=int, default=400,
                            help="rows of the demo agency file (0: none)")
        parser.add_argument("--no-history", action="store_true",
                            help="no past: skip the three years of history")
        parser.add_argument("--history-households", type=int, default=HISTORY_MAX_HOUSEHOLDS,
                            help="the history happens to at most this many households")

    def handle(self, *args, households, seed, quiet_logins, signals, no_history,
               history_households, **options):
        started, cpu_started = time.monotonic(), time.process_time()

        def progress(done, total):
            self.stdout.write(f"  가구 {done:,}/{total:,}", ending="\r")
            self.stdout.flush()

        result = seed_registry(households, seed, progress=progress if households > 20000 else None)
        # The service catalogue and a good-neighbour pairing for volunteer1.
        from outreach.demo import seed_outreach_work

        work = seed_outreach_work(result["district"])
        self.stdout.write(
            f"seed_demo: {work['services_added']} services added to the catalogue, "
            f"{work['pairings_added']} pairing(s) for volunteer1"
        )
        self.seed_gatekeepers(result["district"])
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"seed_demo: {result['households_added']:,} households added "
            f"(target {households:,}) in {elapsed:.1f}s"
        )
        model = risk_model_current()
        self.stdout.write(f"seed_demo: risk model v{model.version}")
        if not no_history:
            self.seed_history(result["district"], seed, history_households)
        if signals:
            self.seed_signals(signals, seed)
        rollup_started = time.monotonic()
        # In this process, whether or not a worker runs: the dashboards show it at once.
        rows = celery_app.tasks["outreach.tasks.dashboard_rollup_refresh"].apply(
            args=[None]).get()
        self.stdout.write(f"seed_demo: dashboard rollups rebuilt ({rows:,} rows) in "
                          f"{time.monotonic() - rollup_started:.1f}s")
        self.stdout.write(f"seed_demo: seeding took {time.monotonic() - started:.1f}s "
                          f"(CPU {time.process_time() - cpu_started:.1f}s)")
        if not quiet_logins:
            self.print_logins()

    def seed_history(self, district, seed: int, cap: int):
        """Three years up to today; once only (a second run adds nothing)."""
        started = time.monotonic()
        done = demo_history_seed(district=district, seed=seed, households_cap=cap)
        if not done:
            self.stdout.write("seed_demo: history already there")
            return
        self.stdout.write(
            "seed_demo: history of 3 years — {signal_files} signal files, {alerts:,} alerts, "
            "{visits:,} visits, {service_links:,} service links, {cases:,} cases, "
            "{check_ins:,} check-ins, {referrals:,} referrals, {targets} targets".format(**done)
            + f" in {time.monotonic() - started:.1f}s"
        )

    def seed_gatekeepers(self, district):
        """A pharmacy, a convenience store and the meter readers in every dong, once."""
        from referrals.services.gatekeepers import gatekeeper_places_seed

        added = gatekeeper_places_seed(district.dongs.order_by("code"))
        self.stdout.write(f"seed_demo: {added} gatekeeper places with QR memo pads")

    def seed_signals(self, rows: int, seed: int):
        """One demo file from the national feed, so the demo has alerts; once only."""
        if SignalBatch.objects.filter(original_name=DEMO_FILE).exists():
            return
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / DEMO_FILE
            write_csv(path, signal_rows(seed=seed, rows=rows, observed=timezone.localdate(),
                                        people_limit=2000, unregistered_share=0.04,
                                        bad_share=0.01))
            with path.open("rb") as f:
                batch, _created = signal_batch_receive(
                    source=Organization.objects.get(code="ssis"), fileobj=f,
                    filename=DEMO_FILE, channel=SignalBatch.Channel.COMMAND,
                )
        batch.refresh_from_db()
        self.stdout.write(f"seed_demo: demo signal file → batch {batch.pk} ({batch.status})")

    def print_logins(self):
        self.stdout.write("")
        self.stdout.write("Doorstep demo — http://127.0.0.1:8000/")
        if settings.DEMO_MODE:
            self.stdout.write(f"  password for every demo login: {settings.DEMO_PASSWORD}")
        else:
            self.stdout.write("  not in demo mode: demo logins have no password; set one with "
                              "`manage.py changepassword USER`")
        for login in DEMO_LOGINS:
            self.stdout.write(f"  {login.username:<11} {login.what}")
