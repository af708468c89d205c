"""Thin Celery tasks of the referrals app."""

from celery import shared_task

from referrals import services

# --- service links ------------------------------------------------------


@shared_task(name="referrals.tasks.service_links_remind_unanswered")
def service_links_remind_unanswered() -> int:
    """Daily: remind providers of requests unanswered for N working days (once each)."""
    return services.service_links_remind_unanswered()
