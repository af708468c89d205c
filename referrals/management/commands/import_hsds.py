"""import_hsds: create or update the service catalogue from Open Referral HSDS 3 JSON."""

import json

from django.core.management.base import BaseCommand, CommandError

from referrals.services.hsds import hsds_catalogue_import


class Command(BaseCommand):
    help = "Create or update catalogue services from an HSDS 3 JSON file (export_hsds's)."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        try:
            with open(path, encoding="utf-8-sig") as f:
                data = json.load(f)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(f"import_hsds: {path}: 읽을 수 없는 JSON입니다 ({error})") \
                from error
        result = hsds_catalogue_import(data)
        for error in result["errors"]:
            self.stderr.write(f"import_hsds: {error}")
        self.stdout.write(f"import_hsds: {result['created']} created, {result['updated']} "
                          f"updated, {len(result['errors'])} refused")
        if result["errors"]:
            raise CommandError("import_hsds: some services were refused (see above)")
