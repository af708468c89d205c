"""Tables the dashboards fill and read: DiscoveryTarget and the per (dong, month) rollups.

Declared in the outreach app so their migrations stay where they are; only
``outreach.dashboards`` writes them."""

import sys
from array import array

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DiscoveryTarget(models.Model):
    """발굴 목표: households a dong should find in a year (영등포구 raises it 10% a year).

    Without a row for the year the dashboard uses last year's actual × 1.1, rounded up.
    """

    dong = models.ForeignKey(
        "households.Dong", on_delete=models.CASCADE, related_name="discovery_targets"
    )
    year = models.PositiveSmallIntegerField(_("연도"))
    target = models.PositiveIntegerField(_("발굴 목표(가구)"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    set_at = models.DateTimeField(_("설정일시"), auto_now=True)

    class Meta:
        verbose_name = _("발굴 목표")
        verbose_name_plural = _("발굴 목표")
        ordering = ["year", "dong__code"]
        constraints = [
            models.UniqueConstraint(fields=["dong", "year"], name="one_target_per_dong_year"),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="target_year_sane"
            ),
        ]

    def __str__(self):
        return f"{self.dong} {self.year}: {self.target}"


# --- dashboard rollups ---
# Per (dong, month) figures the dashboards read instead of scanning alerts and visits.
# Rebuilt by outreach.dashboards.rollups.dashboard_rollup_refresh (nightly, and per dong after the
# writes that change them); a month is a calendar month in Asia/Seoul.


def contact_seconds_pack(seconds) -> bytes:
    """Whole seconds as little-endian signed 32-bit integers (±68 years), in order."""
    packed = array("i", (round(s) for s in seconds))
    if sys.byteorder == "big":
        packed.byteswap()
    return packed.tobytes()


def contact_seconds_unpack(data, into: array | None = None) -> array:
    """contact_seconds_pack's integers, appended to ``into`` (a new array if None)."""
    into = array("i") if into is None else into
    start = len(into)
    into.frombytes(bytes(data or b""))
    if sys.byteorder == "big":
        tail = into[start:]
        tail.byteswap()
        into[start:] = tail
    return into


class DongMonthStat(models.Model):
    """Counts that add up over months and dongs. Alert figures by the month the alert
    opened (first-contact figures too), ``alerts_closed`` by the month it closed,
    visit figures by the month of the visit."""

    dong = models.ForeignKey("households.Dong", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    alerts_opened = models.PositiveIntegerField(default=0)
    alerts_closed = models.PositiveIntegerField(default=0)
    contacted = models.PositiveIntegerField(default=0)
    # Emergency (위기·긴급) and normal alerts: contacted, contacted within the limit,
    # not contacted (yet). Whether a not-contacted one is already late depends on
    # today, so the dashboard takes off the few opened within the last days live.
    em_contacted = models.PositiveIntegerField(default=0)
    em_ok = models.PositiveIntegerField(default=0)
    em_uncontacted = models.PositiveIntegerField(default=0)
    normal_contacted = models.PositiveIntegerField(default=0)
    normal_ok = models.PositiveIntegerField(default=0)
    normal_uncontacted = models.PositiveIntegerField(default=0)
    visits_done = models.PositiveIntegerField(default=0)
    visits_met = models.PositiveIntegerField(default=0)
    visits_paired = models.PositiveIntegerField(default=0)
    # Seconds from alert to first contact of the alerts contacted, sorted: the median
    # is exact (one number per contacted alert, no join to read them). Packed as 32-bit
    # integers (contact_seconds_pack): four bytes an alert, read back in one call, where
    # a JSON list took a parse per number (5 ms for 20,000 alerts).
    contact_seconds = models.BinaryField(default=bytes)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dong", "month"],
                                               name="one_stat_per_dong_month")]

    def __str__(self):
        return f"{self.dong_id} {self.month:%Y-%m}"


class DongMonthReach(models.Model):
    """Distinct households over any run of months, without the households.

    ``n`` households of the dong had a ``kind`` event in ``month`` whose previous such
    month was ``since`` (null: none before). The households in months [s, e] are then
    the sum of ``n`` over month in [s, e] with since null or before s — each counted
    once, at its first month in the run. Kinds: found (an alert opened that month led
    to discovery), visited (a visit took place), unreachable (a visit ended 연락 두절).
    """

    dong = models.ForeignKey("households.Dong", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12)
    month = models.DateField()
    since = models.DateField(null=True, blank=True)
    n = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["kind", "month"], name="reach_kind_month")]

    def __str__(self):
        return f"{self.dong_id} {self.kind} {self.month:%Y-%m}: {self.n}"


class RunningTotal(models.Model):
    """Closed risk-model alerts of a dong counted from the first month up to and including
    ``month`` (by the month they closed): how many, and how many were closed as needing
    help. The subclasses add the key.

    A row per key for every month from the key's first closing to the month the dong's
    rollups were last written (the current month then): the alerts of months [s, e] are
    the row at e less the row at s − 1, so a period reads at most two rows per key
    however many months it spans and however many alerts closed (``to_date_rows``).
    Months after the last write read the dong's last month, which is what they hold: any
    write to the dong rewrites its rows."""

    # Found through the (dong, month) index only: with one on dong alone too, PostgreSQL
    # reads a dong's every month to pick one.
    dong = models.ForeignKey("households.Dong", on_delete=models.CASCADE, related_name="+",
                             db_index=False)
    month = models.DateField()
    closed = models.PositiveIntegerField(default=0)
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class DongScoreToDate(RunningTotal):
    """Running totals per model version and score (an integer 0–100): at most 18 dongs ×
    versions × 101 scores rows a month."""

    version = models.PositiveIntegerField()
    score = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [models.Index(fields=["dong", "month"], name="score_to_date_dong_month")]

    def __str__(self):
        return f"{self.dong_id} ≤{self.month:%Y-%m} v{self.version} {self.score}: {self.closed}"


class DongAgeToDate(RunningTotal):
    """Running totals for the age panel, per score and the age band of the household's
    head (outreach.dashboards.AGE_BANDS; -1 unknown), of the alerts whose head stays in
    one band on the last day of every period that can hold their closing month (most of
    them). The others, whose head crosses a band edge within that reach, are the
    DongMonthAge rows."""

    score = models.PositiveSmallIntegerField()
    band = models.SmallIntegerField()

    class Meta:
        indexes = [models.Index(fields=["dong", "month"], name="age_to_date_dong_month")]

    def __str__(self):
        return f"{self.dong_id} ≤{self.month:%Y-%m} band {self.band} {self.score}: {self.closed}"


class DongMonthFactor(models.Model):
    """Closed risk-model alerts per factor named on their assessment (one alert counts
    once for each factor), by the month they closed."""

    dong = models.ForeignKey("households.Dong", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    factor = models.CharField(max_length=200)
    closed = models.PositiveIntegerField(default=0)
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["month"], name="factor_month")]

    def __str__(self):
        return f"{self.dong_id} {self.month:%Y-%m} {self.factor}: {self.closed}"


class DongMonthAge(models.Model):
    """Closed risk-model alerts by the month they closed, score and the age band of the
    household's head (outreach.dashboards.AGE_BANDS; -1 unknown) on the last day of a
    period ending in a month from ``valid_from`` to ``valid_to`` (first days of months;
    null: open-ended). Only the alerts whose head changes band within the reach of a
    period holding their closing month (a birthday over 40, 65 or 75 within MAX_MONTHS):
    the rest are in DongAgeToDate. Each such alert has a handful of rows, and a period
    picks the row valid at its end."""

    dong = models.ForeignKey("households.Dong", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    score = models.PositiveSmallIntegerField()
    band = models.SmallIntegerField()
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    closed = models.PositiveIntegerField(default=0)
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["month"], name="age_month")]

    def __str__(self):
        return f"{self.dong_id} {self.month:%Y-%m} band {self.band} {self.score}: {self.closed}"


class DongMonthCompanion(models.Model):
    """Visits done with a volunteer along, per volunteer, dong and month of the visit
    (a row per volunteer: a district has hundreds, whatever the number of visits)."""

    dong = models.ForeignKey("households.Dong", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    companion = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="+")
    visits = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["month"], name="companion_month")]

    def __str__(self):
        return f"{self.dong_id} {self.month:%Y-%m} {self.companion_id}: {self.visits}"


# --- figures of the present and of referrals and service links ---
# Rebuilt with the rollups above (per dong, after the writes that change them), so the
# map, the overdue counts and the referral and service-link panels read a few hundred
# rows whatever the number of households, referrals and links.


class DongHouseholds(models.Model):
    """Households registered in the dong now (the map's alerts per 1,000 households)."""

    dong = models.OneToOneField("households.Dong", on_delete=models.CASCADE, related_name="+")
    n = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.dong_id}: {self.n}"


class DongOpenAlerts(models.Model):
    """Open alerts now, by their household's dong and first-contact date: ``n`` open,
    ``awaiting`` of them not contacted yet. Overdue today is the sum of ``awaiting`` over
    due dates before today: exact on any day without a nightly job, since the day an
    alert becomes late changes no row."""

    dong = models.ForeignKey("households.Dong", on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField()
    n = models.PositiveIntegerField(default=0)
    awaiting = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dong", "due_on"],
                                               name="one_open_alerts_per_dong_due")]

    def __str__(self):
        return f"{self.dong_id} {self.due_on}: {self.n} ({self.awaiting})"



class DongDayUncontacted(models.Model):
    """Alerts never contacted, by their household's dong and the day they opened (Asia/
    Seoul), emergency (위기·긴급) or not. Whether one is late yet depends on the moment
    the page is read; the dashboard takes the days still within the limit from here and
    only the alerts of the one day the limit falls in live."""

    dong = models.ForeignKey("households.Dong", on_delete=models.CASCADE, related_name="+")
    opened_on = models.DateField()
    emergency = models.PositiveIntegerField(default=0)
    normal = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dong", "opened_on"],
                                               name="one_uncontacted_per_dong_day")]
        indexes = [models.Index(fields=["opened_on"], name="uncontacted_opened_on")]

    def __str__(self):
        return f"{self.dong_id} {self.opened_on}: {self.emergency} + {self.normal}"

class DongMonthReferral(models.Model):
    """Referrals by their dong, the month they came in, channel and the user who sent
    them (null: a resident or partner without a login)."""

    dong = models.ForeignKey("households.Dong", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    channel = models.CharField(max_length=12)
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                    null=True, blank=True, related_name="+")
    n = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["month"], name="referral_rollup_month")]

    def __str__(self):
        return f"{self.dong_id} {self.month:%Y-%m} {self.channel}: {self.n}"


class DongMonthConcern(models.Model):
    """Referrals per concern category they name (one referral counts once for each), by
    dong and the month they came in."""

    dong = models.ForeignKey("households.Dong", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    concern = models.CharField(max_length=20)
    n = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["month"], name="concern_rollup_month")]

    def __str__(self):
        return f"{self.dong_id} {self.month:%Y-%m} {self.concern}: {self.n}"


class DongMonthLink(models.Model):
    """Service links by their household's dong, the month requested, service, provider,
    status and decline code; ``value`` adds up their 환가액 (actual value)."""

    dong = models.ForeignKey("households.Dong", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    service = models.ForeignKey("referrals.Service", on_delete=models.CASCADE,
                                related_name="+")
    provider = models.ForeignKey("households.Organization", on_delete=models.CASCADE,
                                 related_name="+")
    status = models.CharField(max_length=12)
    decline_code = models.CharField(max_length=20, blank=True)
    n = models.PositiveIntegerField(default=0)
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["month"], name="link_rollup_month")]

    def __str__(self):
        return f"{self.dong_id} {self.month:%Y-%m} {self.service_id}/{self.provider_id}: {self.n}"
