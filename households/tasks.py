"""Thin Celery tasks of the households app (daily beat tasks; each is idempotent)."""

from celery import shared_task

from households import services


@shared_task(name="households.tasks.access_review_remind")
def access_review_remind() -> int:
    """Daily: remind the auditors, once, when last month's access log is unreviewed."""
    return services.access_review_remind()


@shared_task(name="households.tasks.households_anonymise")
def households_anonymise() -> int:
    """Anonymise the households the auditor approved (runs again without redoing any)."""
    return services.households_anonymise()
