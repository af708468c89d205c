"""Thin Celery tasks of the households app (daily beat tasks; each is idempotent)."""

from celery import shared_task

from households import rrn_known, services


@shared_task(name="households.tasks.access_review_remind")
def access_review_remind() -> int:
    """Daily: remind the auditors, once, when last month's access log is unreviewed."""
    return services.access_review_remind()


@shared_task(name="households.tasks.households_anonymise")
def households_anonymise() -> int:
    """Anonymise the households the auditor approved (runs again without redoing any)."""
    return services.households_anonymise()


@shared_task(name="households.tasks.rrn_hash_log_prune")
def rrn_hash_log_prune() -> int:
    """Daily (PostgreSQL): the log of RRN hashes people gained, kept for a day."""
    return rrn_known.rrn_hash_log_prune()
