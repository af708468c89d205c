"""The outreach app: finding households in crisis and following through."""

from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "outreach"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # A referral at the address of an open alert is a likely duplicate; referrals asks
        # outreach through this hook because imports go one way (outreach → referrals).
        from households.hooks import household_supported
        from outreach import (
            messages,  # noqa: F401 — registers outreach's stored codes
            tasks,  # noqa: F401 — registers the tasks services enqueue by name
        )
        from outreach.selectors.alerts import open_alert_like
        from outreach.services.alerts import household_supported_receiver
        from referrals import messages as referral_messages  # noqa: F401 — and referrals'
        from referrals.services import register_duplicate_alert_check

        register_duplicate_alert_check(open_alert_like)
        # Break the glass: a household in the user's assigned work needs no reason.
        from households.selectors import register_current_work_check
        from outreach.selectors.cases import household_in_users_work

        register_current_work_check(household_in_users_work)
        # Retention: a household assessed lately is active, with or without a timeline line.
        from households.selectors import register_activity_check
        from outreach.selectors.assessments import household_assessed_since

        register_activity_check(household_assessed_since)
        # A service link (referrals) moves the household's open alert to 지원 연계.
        household_supported.connect(household_supported_receiver,
                                    dispatch_uid="outreach.alert_household_supported")
