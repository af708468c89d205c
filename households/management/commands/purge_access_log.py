"""purge_access_log: delete access-log rows older than the two years the law asks to keep."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from households.models import AccessLog


class Command(BaseCommand):
    help = "Delete access-log rows older than N days (never fewer than two years)."

    def add_arguments(self, parser):
        parser.add_argument("--older-than-days", type=int, required=True)

    def handle(self, *args, older_than_days, **options):
        minimum = settings.ACCESS_LOG_MIN_RETENTION_DAYS
        if older_than_days < minimum:
            raise CommandError(
                f"접속기록은 최소 {minimum}일(2년) 보관해야 합니다 / "
                f"access records are kept at least {minimum} days."
            )
        cutoff = timezone.now() - timedelta(days=older_than_days)
        deleted, _ = AccessLog.objects.filter(at__lt=cutoff).delete()
        self.stdout.write(f"{deleted} access-log rows older than {cutoff:%Y-%m-%d} deleted")
