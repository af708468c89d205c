"""export_hsds: the service catalogue as Open Referral HSDS 3 JSON."""

import json
import sys

from django.core.management.base import BaseCommand

from referrals.services.hsds import hsds_catalogue_export


class Command(BaseCommand):
    help = "Write the service catalogue as Open Referral HSDS 3 JSON (stdout or --output)."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="file to write (default: stdout)")

    def handle(self, *args, output=None, **options):
        text = json.dumps(hsds_catalogue_export(), ensure_ascii=False, indent=2)
        if output:
            with open(output, "w", encoding="utf-8") as f:
                f.write(text + "\n")
            self.stderr.write(f"export_hsds: wrote {output}")
        else:
            sys.stdout.write(text + "\n")
