"""Agency files and the signals in them: SignalBatch, SignalChunk, SignalRejection, RiskSignal."""

import hashlib
import uuid
from collections.abc import Callable
from datetime import date
from functools import lru_cache

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from households.messages import message_text
from households.models import Household, Organization, Person
from outreach.models.indexes import BlockRangeIndex
from outreach.signal_kinds import KIND_CHOICES


class SignalBatch(models.Model):
    """One agency file (or API push): the raw file is kept; its SHA-256 makes it unique."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("접수")
        PARSING = "parsing", _("읽는 중")
        SCORING = "scoring", _("점수 계산 중")
        DONE = "done", _("완료")
        FAILED = "failed", _("실패")

    class Channel(models.TextChoices):
        UPLOAD = "upload", _("화면 업로드")
        API = "api", _("API")
        COMMAND = "command", _("명령행")

    source = models.ForeignKey(Organization, on_delete=models.PROTECT,
                               related_name="signal_batches", verbose_name=_("제공 기관"))
    channel = models.CharField(_("접수 경로"), max_length=10, choices=Channel.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    file = models.FileField(_("원본 파일"), upload_to="signal_batches/%Y/%m/")
    original_name = models.CharField(_("파일명"), max_length=255)
    sha256 = models.CharField(max_length=64)
    size_bytes = models.BigIntegerField(_("크기"))
    file_format = models.CharField(_("형식"), max_length=5)  # csv | xlsx
    encoding = models.CharField(_("문자 인코딩"), max_length=20, blank=True)
    delimiter = models.CharField(max_length=1, blank=True)
    # Header position → canonical column name, fixed when the file is received.
    columns = models.JSONField(default=list)
    status = models.CharField(_("상태"), max_length=10, choices=Status.choices,
                              default=Status.RECEIVED)
    failure_reason = models.TextField(_("실패 사유"), blank=True)
    chunks_total = models.PositiveIntegerField(default=0)
    score_chunks_total = models.PositiveIntegerField(default=0)
    rows = models.PositiveIntegerField(_("행 수"), default=0)
    accepted = models.PositiveIntegerField(_("접수"), default=0)
    rejected = models.PositiveIntegerField(_("반려"), default=0)
    duplicates = models.PositiveIntegerField(_("중복"), default=0)
    matched_people = models.PositiveIntegerField(_("기존 가구원 일치"), default=0)
    unregistered_candidates = models.PositiveIntegerField(_("미등록 거주 후보"), default=0)
    unmatched = models.PositiveIntegerField(_("미일치"), default=0)
    households_scored = models.PositiveIntegerField(_("평가 가구"), default=0)
    alerts_opened = models.PositiveIntegerField(_("신규 발굴"), default=0)
    alerts_updated = models.PositiveIntegerField(_("갱신 발굴"), default=0)
    model_version = models.PositiveIntegerField(_("모델 버전"), null=True, blank=True)
    created_at = models.DateTimeField(_("접수일시"), auto_now_add=True)
    finished_at = models.DateTimeField(_("완료일시"), null=True, blank=True)

    class Meta:
        verbose_name = _("위기정보 파일")
        verbose_name_plural = _("위기정보 파일")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["source", "-created_at"], name="batch_source_created")]
        constraints = [
            # The same bytes from the same source are one batch, unless that one failed:
            # then the agency may send them again.
            models.UniqueConstraint(fields=["source", "sha256"],
                                    condition=~models.Q(status="failed"),
                                    name="batch_source_sha256_unless_failed"),
        ]

    def __str__(self):
        return f"batch {self.pk} {self.original_name}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class SignalChunk(models.Model):
    """The status row of one unit of work: a slice of the file (parse) or of the
    batch's households (score). Its (batch, phase, number) key makes a re-run a no-op."""

    class Phase(models.TextChoices):
        PARSE = "parse", _("읽기")
        SCORE = "score", _("점수")

    class Status(models.TextChoices):
        PENDING = "pending", _("대기")
        DONE = "done", _("완료")
        FAILED = "failed", _("실패")

    batch = models.ForeignKey(SignalBatch, on_delete=models.CASCADE, related_name="chunks")
    phase = models.CharField(max_length=5, choices=Phase.choices)
    number = models.PositiveIntegerField()
    # parse: byte range of the file and the physical line of its first row;
    # score: household id range (inclusive).
    start = models.BigIntegerField(default=0)
    end = models.BigIntegerField(default=0)
    first_line = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    # The Celery task working on a pending chunk and when it started: a claim whose task
    # no live worker holds (its worker was killed) is queued again (signal_chunks_recover).
    claimed_by = models.CharField(max_length=255, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # When its task was last sent: a chunk nobody claimed long after, while every worker
    # sat idle, had its message lost by the broker and is sent again (the same job).
    queued_at = models.DateTimeField(default=timezone.now)
    # Outcome counts, written in the same transaction as the rows they count.
    stats = models.JSONField(default=dict)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "phase", "number"], name="chunk_unique"),
        ]
        indexes = [models.Index(fields=["batch", "phase", "status"], name="chunk_batch_status")]

    def __str__(self):
        return f"batch {self.batch_id} {self.phase} #{self.number} {self.status}"


class SignalRejection(models.Model):
    """A rejected row: its line in the file, the column and what to fix."""

    batch = models.ForeignKey(SignalBatch, on_delete=models.CASCADE, related_name="rejections")
    line = models.PositiveIntegerField(_("행"))
    # The canonical column name (signal_kind, observed_on …); its label is shown.
    column = models.CharField(_("열"), max_length=40, blank=True)
    # Legacy sentence of rows from before ``message``; new rows leave it blank.
    reason = models.CharField(_("사유"), max_length=300, blank=True)
    # Why, as {"code": …, values…}, put into words in the reader's language
    # (outreach.messages.REJECTIONS). A quoted cell is already RRN-masked and cut short.
    message = models.JSONField(_("사유(코드)"), default=dict, blank=True)

    class Meta:
        ordering = ["line", "id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "line", "column"], name="rejection_unique"),
        ]

    def __str__(self):
        return f"{self.line}: {self.column} {self.text}"

    @property
    def text(self) -> str:
        return message_text(self.message) if self.message else self.reason


# The day count the observation key spells a date in: text that does not depend on a
# database's DateStyle (migration 0031 spells it the same in SQL).
_EPOCH = date(2000, 1, 1)


def observation_key(source_id: int, kind: str, subject: str, observed_on: date) -> uuid.UUID:
    """What makes a signal one observation — source, kind, subject, date — as 128 bits.

    Signals are unique on this key, not on the four columns: a 16-byte key compared as
    bytes, where the four columns made index entries of about 110 bytes of text compared
    by collation. That index was the largest single cost of storing a signal; on the key,
    a 1,000,000-row round's signals take a quarter less space and PostgreSQL about a
    quarter less time to store them (bench_signals). MD5 here is a fingerprint, not a
    seal: the subject in it is already a keyed hash, so nobody can make two observations
    collide on purpose, and by chance it takes about 2^64 of them."""
    return uuid.UUID(observation_hex(source_id, kind, subject, observed_on))


def observation_hex(source_id: int, kind: str, subject: str, observed_on: date) -> str:
    """observation_key as 32 hex digits: what the set-based pipeline sends PostgreSQL with
    each staged row (signal_staging, a chunk at a time through observation_hexes), which
    only casts it to the key. Built in SQL (text from four columns, MD5, the hex parsed
    back as a UUID), it took 1-2 µs a row more, in the statement that is most of a chunk's
    time in the database. The work moves from the one database to the workers, which
    scale out."""
    text = _head(source_id, kind, observed_on) + subject
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _head(source_id: int, kind: str, observed_on: date) -> str:
    """The key's text before the subject. The kind's length before the kind: no two
    observations spell the same text, whatever a kind holds."""
    return f"{source_id}|{_days(observed_on)}|{len(kind)}|{kind}|"


def observation_hexes(source_id: int) -> Callable[[str, str, date], str]:
    """observation_hex(source_id, …) as a function of (kind, subject, observed_on), for a
    chunk's rows: the text before the subject — the same for every row of one kind and
    date, and a round has few of them — is hashed once, and that MD5 state copied and fed
    each row's subject. A third of observation_hex's time a row, where it was the
    largest part of sending a chunk's rows (building the text, more than hashing it)."""
    heads = {}  # (kind, date): the MD5 of the text before the subject

    def hexed(kind: str, subject: str, observed_on: date) -> str:
        try:
            head = heads[kind, observed_on]
        except KeyError:
            head = heads[kind, observed_on] = hashlib.md5(
                _head(source_id, kind, observed_on).encode(), usedforsecurity=False)
        digest = head.copy()
        digest.update(subject.encode())
        return digest.hexdigest()

    return hexed


@lru_cache(maxsize=65536)
def _days(day: date) -> int:
    """Days since 2000-01-01 (a round's dates recur)."""
    return (day - _EPOCH).days


class RiskSignalQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Every signal stored with its key (bulk_create does not call save)."""
        objs = [signal.key_fill() for signal in objs]
        return super().bulk_create(objs, *args, **kwargs)


class RiskSignal(models.Model):
    """위기정보: one kind observed for one person by one source on one date."""

    class Match(models.TextChoices):
        RRN = "rrn", _("주민등록번호 일치")
        NAME = "name", _("성명·생년월일·주소 일치")
        CANDIDATE = "candidate", _("미등록 거주 후보")
        UNMATCHED = "unmatched", _("미일치")

    # source, batch and household are the leading columns of the indexes below; a separate
    # index each would only slow the bulk inserts down. Nor does the database check these
    # four keys row by row (db_constraint=False): millions of rows a round, each written by
    # the pipeline with ids it has just joined in the same transaction; deleting a
    # household or batch still nulls or removes its signals (Django's on_delete).
    source = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+",
                               db_index=False, db_constraint=False)
    kind = models.CharField(_("위기정보"), max_length=40, choices=KIND_CHOICES)
    observed_on = models.DateField(_("기준일"))
    months_overdue = models.PositiveSmallIntegerField(_("체납개월"), null=True, blank=True)
    amount = models.BigIntegerField(_("금액"), null=True, blank=True)
    batch = models.ForeignKey(SignalBatch, on_delete=models.CASCADE, related_name="signals",
                              db_index=False, db_constraint=False)
    chunk_no = models.PositiveIntegerField()
    line = models.PositiveIntegerField(_("행"))
    household = models.ForeignKey(Household, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="risk_signals", db_index=False,
                                  db_constraint=False)
    # Which member matched, as it was then. Not indexed (a fifth of a signal's insert
    # cost): nothing reads signals by person — the record page reads them by household
    # — and people are anonymised, never deleted, so no delete has to find their rows
    # (DO_NOTHING: a person removed by hand leaves an id that points nowhere).
    person = models.ForeignKey(Person, on_delete=models.DO_NOTHING, null=True, blank=True,
                               related_name="risk_signals", db_index=False,
                               db_constraint=False)
    match = models.CharField(_("일치 방법"), max_length=10, choices=Match.choices)
    # Where an unmatched row said it lives (masked name only), for staff to follow up.
    name_masked = models.CharField(max_length=50, blank=True)
    address = models.CharField(max_length=250, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # observation_key(source, kind, subject, observed_on): what the source reported. Set on
    # every save and bulk_create, and sent with each row the SQL that stores a chunk inserts
    # (observation_hex).
    observation = models.UUIDField(editable=False)
    # The household the signal was stored for, 0 for none: household_id as it was written,
    # never NULL, so that it can lead the primary key (a household deleted later leaves
    # household_id NULL and this as it was; nothing moves a stored signal).
    household_key = models.BigIntegerField(editable=False, default=0)
    # One row per observation per household, however often files repeat it: a person who
    # moved brings the observation to the new household, and one stored unmatched reaches
    # the household it matches later. The only b-tree on the table, and the one every
    # reader by household uses (scoring reads a chunk of households as one key range): a
    # separate key on the observation beside an index by household cost a fifth of the
    # statement that stores a chunk (0.47 → 0.37 s for 21,000 signals on the bench's
    # registry), the observation's random order scattering every insert across its pages.
    # Signals are ordered by (batch, line): the order of the files, the same whichever
    # worker stored first.
    pk = models.CompositePrimaryKey("household_key", "observation")

    objects = RiskSignalQuerySet.as_manager()

    class Meta:
        verbose_name = _("위기정보")
        verbose_name_plural = _("위기정보")
        indexes = [
            BlockRangeIndex(fields=["batch", "chunk_no"], name="signal_batch_chunk"),
        ]

    def __str__(self):
        return f"{self.kind} {self.observed_on} ({self.match})"

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.key_fill()
        elif self._report_changed():
            # The key is the primary key: saved, the edit would be a second signal. A
            # signal is what a source reported, for the household it was stored for;
            # another report is another signal.
            raise ValueError("a stored signal's source, kind, subject, date and household "
                             "stay as they are")
        super().save(*args, **kwargs)

    # Who it is about, stable across files (signal_stream.subject_of): the RRN's keyed
    # hash, or a keyed hash of normalised name + birth date + address key. Given to a new
    # signal to make its observation key, never stored: the key and the household carry
    # what readers need, and a stored keyed hash per signal would link every signal back
    # to the number — also the signals of a person anonymised since, whose own hash is
    # gone. (A property: RiskSignal(subject=…) takes it like a field.)
    @property
    def subject(self) -> str | None:
        return self.__dict__.get("_subject")

    @subject.setter
    def subject(self, value: str) -> None:
        self.__dict__["_subject"] = value

    def _report_changed(self) -> bool:
        """Whether a stored signal now says something else than the row under its key."""
        if self.subject is not None and observation_key(
                self.source_id, self.kind, self.subject, self.observed_on) != self.observation:
            return True
        stored = type(self).objects.filter(pk=self.pk).values_list(
            "source_id", "kind", "observed_on", "household_key").first()
        return stored is not None and stored != (
            self.source_id, self.kind, self.observed_on, self.household_id or 0)

    def key_fill(self) -> "RiskSignal":
        """The primary key's two parts, from what the signal says."""
        if self.subject is None:
            raise ValueError("a new signal's observation key is made of its subject")
        self.observation = observation_key(self.source_id, self.kind, self.subject,
                                           self.observed_on)
        self.household_key = self.household_id or 0
        return self
