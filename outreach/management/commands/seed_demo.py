import time

from django.conf import settings
from django.core.management.base import BaseCommand

from households.demo import DEMO_LOGINS, seed_registry


class Command(BaseCommand):
    help = "영등포구 demo district: 18 행정동, synthetic households, a login per role; idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--quiet-logins", action="store_true",
                            help="do not print the demo logins")

    def handle(self, *args, households, seed, quiet_logins, **options):
        started = time.monotonic()

        def progress(done, total):
            self.stdout.write(f"  가구 {done:,}/{total:,}", ending="\r")
            self.stdout.flush()

        result = seed_registry(households, seed, progress=progress if households > 20000 else None)
        # [4/5] the service catalogue and a good-neighbour pairing for volunteer1.
        from outreach.demo import seed_outreach_work

        work = seed_outreach_work(result["district"])
        self.stdout.write(
            f"seed_demo: {work['services_added']} services added to the catalogue, "
            f"{work['pairings_added']} pairing(s) for volunteer1"
        )
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"seed_demo: {result['households_added']:,} households added "
            f"(target {households:,}) in {elapsed:.1f}s"
        )
        if not quiet_logins:
            self.print_logins()

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
