"""Every write of outreach work, one function per use case."""

import hashlib
import json
import os
import tempfile
from collections import defaultdict
from datetime import timedelta
from types import SimpleNamespace

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from households.addresses import address_key, dong_hint
from households.models import Dong, Household, Organization, Person, mask_name
from households.rrn import rrn_hash, rrn_mask
from households.services import timeline_add, timeline_add_many
from outreach import signal_files
from outreach.models import (
    CrisisLevel,
    DiscoveryAlert,
    RiskAssessment,
    RiskModel,
    RiskSignal,
    SignalBatch,
    SignalChunk,
    SignalRejection,
    Visit,
)
from outreach.scoring import DEFAULT_PARAMS, Params, score_household
from outreach.selectors import PARSE_COUNTERS, SCORE_COUNTERS, chunk_totals
from outreach.signal_files import FileRejected


@transaction.atomic
def visit_schedule(*, household, staff, scheduled_for, companion=None, alert=None) -> Visit:
    visit = Visit.objects.create(
        household=household, staff=staff, companion=companion, scheduled_for=scheduled_for,
        alert=alert,
    )
    when = timezone.localtime(scheduled_for)
    timeline_add(
        household_id=household.pk, kind="visit", actor=staff, obj=visit,
        summary=_("가정방문 예정 %(when)s") % {"when": f"{when:%Y-%m-%d %H:%M}"},
    )
    return visit


# =====================================================================================
# Risk signals: receive an agency file, parse it in chunks, match, score, open alerts.
# Tasks in outreach/tasks.py call these with ids; every step can run twice safely.
# =====================================================================================

SCORE_CHUNK_HOUSEHOLDS = 2000
# PostgreSQL advisory lock key: unregistered-household candidates are created one chunk
# at a time, so two chunks never create the same dwelling twice.
CANDIDATE_LOCK_KEY = 0x5167_4E41

# 법정동 (as written in lot addresses) → 행정동 of 영등포구. 신길동 and 대림동 span several
# 행정동, so they place nobody without a 행정동 code.
LEGAL_TO_ADMIN_DONG = {
    "여의도동": "여의동",
    "영등포동": "영등포동",
    **{f"영등포동{n}가": "영등포본동" for n in (1, 2, 3, 4)},
    **{f"영등포동{n}가": "영등포동" for n in (5, 6, 7, 8)},
    **{f"당산동{n}가": "당산1동" for n in (1, 2, 3, 4, 5)},
    "당산동6가": "당산2동",
    "당산동": "당산2동",
    **{f"양평동{n}가": "양평1동" for n in (1, 2, 3, 4)},
    **{f"양평동{n}가": "양평2동" for n in (5, 6)},
    "양화동": "양평2동",
    **{f"문래동{n}가": "문래동" for n in range(1, 7)},
    "문래동": "문래동",
    "도림동": "도림동",
}


# --- the risk model ------------------------------------------------------------------

def risk_model_current() -> RiskModel:
    """The newest version; v1 with the default weights is created the first time."""
    model = RiskModel.objects.order_by("-version").first()
    if model is None:
        model, _created = RiskModel.objects.get_or_create(
            version=1, defaults={"weights": dict(DEFAULT_PARAMS.weights),
                                 "note": _("기본 모델")},
        )
    return model


@transaction.atomic
def risk_model_save(*, user, data: dict, note: str = "") -> RiskModel:
    """Save an edited model as a new version (never edits one) and rescore in the background."""
    current = risk_model_current()
    latest = RiskModel.objects.select_for_update().order_by("-version").first()
    model = RiskModel.objects.create(
        version=(latest or current).version + 1, created_by=user, note=note[:200], **data
    )
    from outreach import tasks

    tasks.risk_model_rescore.delay_on_commit(model.version)
    return model


# --- receiving a file ----------------------------------------------------------------

def _spool(fileobj, max_bytes: int) -> tuple[str, str, int]:
    """Copy to a temporary file while hashing; refuse (413) past max_bytes."""
    digest, size = hashlib.sha256(), 0
    handle, path = tempfile.mkstemp(prefix="signals-", dir=_spool_dir())
    try:
        with os.fdopen(handle, "wb") as out:
            if hasattr(fileobj, "chunks"):
                pieces = fileobj.chunks(1024 * 1024)
            else:
                pieces = iter(lambda: fileobj.read(1024 * 1024), b"")
            for piece in pieces:
                size += len(piece)
                if size > max_bytes:
                    raise FileRejected(
                        _("파일이 너무 큽니다 (최대 %(mb)s MB).")
                        % {"mb": max_bytes // (1024 * 1024)}, status=413,
                    )
                digest.update(piece)
                out.write(piece)
    except BaseException:
        os.unlink(path)
        raise
    return path, digest.hexdigest(), size


def _spool_dir() -> str:
    path = os.path.join(settings.MEDIA_ROOT, "signal_batches", "incoming")
    os.makedirs(path, exist_ok=True)
    return path


def signal_batch_receive(*, source: Organization, fileobj, filename: str, channel: str,
                         user=None, encoding: str = "auto") -> tuple[SignalBatch, bool]:
    """Keep the raw file and queue it; the same bytes again return the existing batch.

    Raises FileRejected (nothing stored) for a file that is not a usable CSV/XLSX.
    """
    max_bytes = settings.SIGNAL_UPLOAD_MAX_BYTES
    path, sha256, size = _spool(fileobj, max_bytes)
    try:
        existing = SignalBatch.objects.filter(sha256=sha256).first()
        if existing is not None:
            return existing, False
        info = signal_files.sniff(path, size=size, max_bytes=max_bytes, encoding=encoding)
        batch = SignalBatch(
            source=source, channel=channel, uploaded_by=user if getattr(
                user, "is_authenticated", False) else None,
            original_name=os.path.basename(filename or "signals.csv")[:255], sha256=sha256,
            size_bytes=size, file_format=info.file_format, encoding=info.encoding,
            delimiter=info.delimiter, columns=info.columns,
        )
        suffix = ".xlsx" if info.file_format == "xlsx" else ".csv"
        try:
            with transaction.atomic():
                with open(path, "rb") as f:
                    batch.file.save(f"{sha256[:16]}{suffix}", File(f), save=False)
                batch.save()
                from outreach import tasks

                tasks.signal_batch_start.delay_on_commit(batch.pk)
        except IntegrityError:
            # The same file arrived twice at once: the other request stored it.
            if batch.file:
                batch.file.delete(save=False)
            return SignalBatch.objects.get(sha256=sha256), False
        return batch, True
    finally:
        if os.path.exists(path):
            os.unlink(path)


def _data_path(batch: SignalBatch) -> str:
    """The CSV the chunk tasks read: the raw file, or the XLSX's first sheet as CSV."""
    return batch.file.path + ".csv" if batch.file_format == "xlsx" else batch.file.path


def _data_encoding(batch: SignalBatch) -> str:
    return "utf-8" if batch.file_format == "xlsx" else batch.encoding


def signal_batch_start(batch_id: int) -> None:
    """received → parsing: find the chunk boundaries (one streaming pass), queue the chunks."""
    from outreach import tasks

    batch = SignalBatch.objects.filter(pk=batch_id).first()
    if batch is None or batch.finished:
        return
    if batch.status == SignalBatch.Status.RECEIVED:
        if batch.file_format == "xlsx" and not os.path.exists(_data_path(batch)):
            partial = f"{_data_path(batch)}.{os.getpid()}.part"
            signal_files.xlsx_to_csv(batch.file.path, partial)
            os.replace(partial, _data_path(batch))
        ranges = signal_files.split(_data_path(batch), settings.SIGNAL_CHUNK_ROWS)
        with transaction.atomic():
            locked = SignalBatch.objects.select_for_update().get(pk=batch_id)
            if locked.status != SignalBatch.Status.RECEIVED:
                return
            chunks = [
                SignalChunk(batch_id=batch_id, phase=SignalChunk.Phase.PARSE, number=r.number,
                            start=r.start, end=r.end, first_line=r.first_line)
                for r in ranges
            ]
            SignalChunk.objects.bulk_create(chunks, ignore_conflicts=True, batch_size=1000)
            SignalBatch.objects.filter(pk=batch_id).update(
                status=SignalBatch.Status.PARSING, chunks_total=len(chunks)
            )
    pending = list(SignalChunk.objects.filter(
        batch_id=batch_id, phase=SignalChunk.Phase.PARSE, status=SignalChunk.Status.PENDING
    ).values_list("number", flat=True))
    for number in pending:
        tasks.signal_chunk_parse.delay_on_commit(batch_id, number)
    if not pending:
        _batch_after_parse(batch_id)


def signal_batch_fail(batch_id: int, reason: str) -> None:
    SignalBatch.objects.filter(pk=batch_id).exclude(status=SignalBatch.Status.DONE).update(
        status=SignalBatch.Status.FAILED, failure_reason=reason[:2000],
        finished_at=timezone.now(),
    )


def signal_chunk_fail(batch_id: int, phase: str, number: int, error: str) -> None:
    """A chunk gave up after its retries: the batch fails with the reason; other chunks'
    rows stay."""
    chunk = SignalChunk.objects.filter(batch_id=batch_id, phase=phase, number=number).first()
    if chunk is None or chunk.status == SignalChunk.Status.DONE:
        return
    SignalChunk.objects.filter(pk=chunk.pk).update(status=SignalChunk.Status.FAILED,
                                                   error=error[:2000])
    if phase == SignalChunk.Phase.PARSE:
        where = _("%(line)s행부터의 묶음 #%(n)s") % {"line": chunk.first_line, "n": number + 1}
    else:
        where = _("점수 계산 묶음 #%(n)s") % {"n": number + 1}
    signal_batch_fail(batch_id, _("%(where)s 처리 실패 (재시도 후): %(error)s")
                      % {"where": where, "error": error[:500]})


# --- parsing one chunk ---------------------------------------------------------------

def _subject(row) -> str:
    if row.rrn_digits:
        return rrn_hash(row.rrn_digits)
    # Keyed too, so a name and birth date cannot be recovered from the table.
    return rrn_hash(f"nba|{row.name_key}|{row.birth_date:%Y%m%d}|{_address_key(row)}")


def _address_key(row) -> str:
    if not hasattr(row, "_address_key"):
        row._address_key = address_key(row.address, row.address_detail) if row.address else ""
    return row._address_key


def _fetch(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _signals_insert(values: list[dict]) -> dict:
    """Store new signals, skip ones already known; returns {match: rows inserted}."""
    if connection.vendor == "postgresql":
        # Plain namespaces, not model instances: 5,000 RiskSignal() calls cost more than
        # the insert itself.
        rows = [SimpleNamespace(**v) for v in values]
        returned = _pg_bulk_insert(RiskSignal, rows, "ON CONFLICT DO NOTHING RETURNING match")
        kept = defaultdict(int)
        for (match,) in returned:
            kept[match] += 1
        return dict(kept)
    signals = [RiskSignal(**v) for v in values]
    RiskSignal.objects.bulk_create(signals, ignore_conflicts=True, batch_size=2000)
    batch_id, chunk_no = signals[0].batch_id, signals[0].chunk_no
    return dict(RiskSignal.objects.filter(batch_id=batch_id, chunk_no=chunk_no)
                .values_list("match").annotate(n=Count("id")).order_by())


def _dong_lookup() -> tuple[dict, dict]:
    by_code, by_name = {}, {}
    for dong_id, code, name, short in Dong.objects.values_list("id", "code", "name", "short_name"):
        by_code[code] = dong_id
        by_name[name] = dong_id
        if short:
            by_name[short] = dong_id
    for legal, admin in LEGAL_TO_ADMIN_DONG.items():
        if admin in by_name:
            by_name.setdefault(legal, by_name[admin])
    return by_code, by_name


def _match(rows: list) -> None:
    """Set person_id / household_id / match on each row: RRN hash, then name+birth+address."""
    for row in rows:
        row.person_id = row.household_id = None
        row.match = RiskSignal.Match.UNMATCHED
        row.subject = _subject(row)
    by_rrn = [row for row in rows if row.rrn_digits]
    if by_rrn:
        hashes = list({row.subject for row in by_rrn})
        if connection.vendor == "postgresql":
            # One array parameter instead of thousands of IN placeholders.
            found = {h: (pid, hid) for h, pid, hid in _fetch(
                "SELECT rrn_hash, id, household_id FROM households_person "
                "WHERE rrn_hash = ANY(%s)", [hashes])}
        else:
            found = {
                h: (pid, hid) for h, pid, hid in Person.objects.filter(
                    rrn_hash__in=hashes).values_list("rrn_hash", "id", "household_id")
            }
        for row in by_rrn:
            if row.subject in found:
                row.person_id, row.household_id = found[row.subject]
                row.match = RiskSignal.Match.RRN
    by_name = [row for row in rows if row.person_id is None and row.name_key and row.birth_date
               and row.address]
    if by_name:
        pairs = list({(row.name_key, row.birth_date) for row in by_name})
        if connection.vendor == "postgresql":
            people = _fetch(
                "SELECT p.name_key, p.birth_date, h.address_key, p.id, p.household_id "
                "FROM households_person p JOIN households_household h ON h.id = p.household_id "
                "WHERE (p.name_key, p.birth_date) IN "
                "(SELECT * FROM unnest(%s::varchar[], %s::date[]))",
                [[n for n, _b in pairs], [b for _n, b in pairs]])
        else:
            people = Person.objects.filter(
                name_key__in={n for n, _b in pairs}, birth_date__in={b for _n, b in pairs},
            ).values_list("name_key", "birth_date", "household__address_key", "id",
                          "household_id")
        found = {(n, b, a): (pid, hid) for n, b, a, pid, hid in people}
        for row in by_name:
            hit = found.get((row.name_key, row.birth_date, _address_key(row)))
            if hit:
                row.person_id, row.household_id = hit
                row.match = RiskSignal.Match.NAME


def _place(rows: list) -> dict:
    """Dong id for unmatched rows with an address: 행정동 code, the dong named in the
    address, or the dong of a household already at that exact address."""
    by_code, by_name = _dong_lookup()
    places = {}
    unplaced = []
    for row in rows:
        if row.person_id is not None or not row.address:
            continue
        dong_id = by_code.get(row.dong_code) if row.dong_code else None
        if dong_id is None:
            hint = dong_hint(row.address)
            dong_id = by_name.get(hint) if hint else None
        if dong_id is None:
            unplaced.append(row)
        places[row.line] = dong_id
    keys = {_address_key(row) for row in unplaced if _address_key(row)}
    if keys:
        known = dict(Household.objects.filter(address_key__in=keys).values_list(
            "address_key", "dong_id"))
        for row in unplaced:
            places[row.line] = known.get(_address_key(row))
    return {line: dong_id for line, dong_id in places.items() if dong_id}


def _create_candidates(rows: list, places: dict, source: Organization) -> None:
    """People found at an address in the district but registered nowhere here become
    members of an unregistered-household candidate (Household.registered_here=False)."""
    placed = [row for row in rows if row.line in places and row.person_id is None]
    if not placed:
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CANDIDATE_LOCK_KEY])
        # Another chunk may have created them since we matched: look again under the lock.
        _match(placed)
        placed = [row for row in placed if row.person_id is None]
        if not placed:
            return
        wanted = {(places[row.line], _address_key(row)): row for row in placed}
        existing = {
            (d, k): hid for hid, d, k in Household.objects.filter(
                registered_here=False, address_key__in={k for _d, k in wanted}
            ).values_list("id", "dong_id", "address_key")
        }
        new = [
            Household(dong_id=d, road_address=row.address[:200],
                      address_detail=row.address_detail[:100], address_key=k,
                      registered_here=False)
            for (d, k), row in wanted.items() if (d, k) not in existing
        ]
        Household.objects.bulk_create(new)
        for household in new:
            existing[(household.dong_id, household.address_key)] = household.pk
        if new:
            timeline_add_many([
                dict(household_id=h.pk, kind="signal",
                     summary=_("위기정보로 발견된 미등록 거주 후보 (%(source)s)")
                     % {"source": source.name})
                for h in new if h.pk
            ])
        # One person per subject (the same person may appear with several kinds).
        people = {}
        for row in placed:
            household_id = existing[(places[row.line], _address_key(row))]
            row.household_id = household_id
            if row.subject not in people:
                person = Person(household_id=household_id, name=row.name[:50] or "?",
                                name_key=row.name_key, birth_date=row.birth_date,
                                phone=row.phone[:30])
                if row.rrn_digits:
                    person.rrn_hash, person.rrn_masked = row.subject, rrn_mask(row.rrn_digits)
                people[row.subject] = person
        Person.objects.bulk_create(list(people.values()), ignore_conflicts=True)
        _match(placed)
        for row in placed:
            row.match = RiskSignal.Match.CANDIDATE


def signal_chunk_parse(batch_id: int, number: int) -> None:
    """Validate, match and store one chunk's rows exactly once."""
    chunk = SignalChunk.objects.select_related("batch", "batch__source").filter(
        batch_id=batch_id, phase=SignalChunk.Phase.PARSE, number=number).first()
    if chunk is None:
        return
    if chunk.status != SignalChunk.Status.PENDING:
        _batch_after_parse(batch_id)
        return
    batch = chunk.batch
    SignalChunk.objects.filter(pk=chunk.pk).update(attempts=chunk.attempts + 1)
    today = timezone.localdate()
    good, bad = [], []
    for raw in signal_files.read_chunk(
        _data_path(batch), start=chunk.start, end=chunk.end, first_line=chunk.first_line,
        encoding=_data_encoding(batch), delimiter=batch.delimiter or ",",
    ):
        result = signal_files.validate(raw, batch.columns, today)
        (good if isinstance(result, signal_files.SignalRow) else bad).append(result)
    _match(good)
    places = _place(good)
    _create_candidates(good, places, batch.source)

    signals = sorted(
        (
            dict(
                source_id=batch.source_id, kind=row.kind, subject=row.subject,
                observed_on=row.observed_on, months_overdue=row.months_overdue,
                amount=row.amount, batch_id=batch_id, chunk_no=number, line=row.line,
                household_id=row.household_id, person_id=row.person_id, match=row.match,
                name_masked=mask_name(row.name)[:50] if row.match == "unmatched" else "",
                address=(f"{row.address} {row.address_detail}".strip()[:250]
                         if row.match == "unmatched" else ""),
            )
            for row in good
        ),
        # One order for every chunk: concurrent inserts of shared keys cannot deadlock.
        key=lambda s: (s["kind"], s["subject"], s["observed_on"]),
    )
    rejections = [
        SignalRejection(batch_id=batch_id, line=problem.line, column=column, reason=reason[:300])
        for problem in bad for column, reason in problem.errors
    ]
    with transaction.atomic():
        locked = SignalChunk.objects.select_for_update().get(pk=chunk.pk)
        if locked.status != SignalChunk.Status.PENDING:
            return
        SignalRejection.objects.bulk_create(rejections, ignore_conflicts=True, batch_size=2000)
        kept = _signals_insert(signals) if signals else {}
        accepted = sum(kept.values())
        locked.stats = {
            "rows": len(good) + len(bad), "accepted": accepted, "rejected": len(bad),
            "duplicates": len(good) - accepted,
            "matched_people": kept.get("rrn", 0) + kept.get("name", 0),
            "unregistered_candidates": kept.get("candidate", 0),
            "unmatched": kept.get("unmatched", 0),
        }
        locked.status = SignalChunk.Status.DONE
        locked.finished_at = timezone.now()
        locked.error = ""
        locked.save(update_fields=["stats", "status", "finished_at", "error"])
    _batch_after_parse(batch_id)


def _batch_after_parse(batch_id: int) -> None:
    """When every parse chunk is done, parsing → scoring (exactly one caller wins)."""
    from outreach import tasks

    open_chunks = SignalChunk.objects.filter(
        batch_id=batch_id, phase=SignalChunk.Phase.PARSE
    ).exclude(status=SignalChunk.Status.DONE)
    if open_chunks.exists():
        return
    with transaction.atomic():
        won = SignalBatch.objects.filter(
            pk=batch_id, status=SignalBatch.Status.PARSING
        ).update(status=SignalBatch.Status.SCORING,
                 **chunk_totals(batch_id, SignalChunk.Phase.PARSE, PARSE_COUNTERS))
        # Also when an earlier run switched to scoring but died before it could queue the
        # scoring task (its message comes back): signal_batch_score is idempotent.
        stranded = not won and SignalBatch.objects.filter(
            pk=batch_id, status=SignalBatch.Status.SCORING, score_chunks_total=0).exists()
        if won or stranded:
            tasks.signal_batch_score.delay_on_commit(batch_id)


# --- scoring -------------------------------------------------------------------------

def signal_batch_score(batch_id: int) -> None:
    """scoring: split the households this batch touched into chunks and queue them."""
    from outreach import tasks

    batch = SignalBatch.objects.filter(pk=batch_id).first()
    if batch is None or batch.status != SignalBatch.Status.SCORING:
        return
    if not batch.score_chunks_total and not SignalChunk.objects.filter(
            batch_id=batch_id, phase=SignalChunk.Phase.SCORE).exists():
        ids = (RiskSignal.objects.filter(batch_id=batch_id, household__isnull=False)
               .values_list("household_id", flat=True).distinct().order_by("household_id"))
        chunks, current = [], []
        for household_id in ids.iterator(chunk_size=10000):
            current.append(household_id)
            if len(current) >= SCORE_CHUNK_HOUSEHOLDS:
                chunks.append((current[0], current[-1]))
                current = []
        if current:
            chunks.append((current[0], current[-1]))
        model = risk_model_current()
        with transaction.atomic():
            locked = SignalBatch.objects.select_for_update().get(pk=batch_id)
            if locked.score_chunks_total or locked.status != SignalBatch.Status.SCORING:
                return
            SignalChunk.objects.bulk_create([
                SignalChunk(batch_id=batch_id, phase=SignalChunk.Phase.SCORE, number=n,
                            start=first, end=last)
                for n, (first, last) in enumerate(chunks)
            ], ignore_conflicts=True)
            SignalBatch.objects.filter(pk=batch_id).update(
                score_chunks_total=len(chunks), model_version=model.version)
    pending = list(SignalChunk.objects.filter(
        batch_id=batch_id, phase=SignalChunk.Phase.SCORE, status=SignalChunk.Status.PENDING
    ).values_list("number", flat=True))
    for number in pending:
        tasks.signal_chunk_score.delay_on_commit(batch_id, number)
    if not pending:
        _batch_after_score(batch_id)


def _due_on(level: str, today):
    # 긴급지원: first contact within EMERGENCY_FIRST_CONTACT_DAYS (3 days, 송산3동 rule).
    days = (settings.EMERGENCY_FIRST_CONTACT_DAYS if level == CrisisLevel.CRITICAL
            else settings.NORMAL_FIRST_CONTACT_DAYS)
    return today + timedelta(days=days)


def _signals_by_household(household_ids) -> dict:
    signals = defaultdict(list)
    rows = RiskSignal.objects.filter(household_id__in=household_ids).values_list(
        "household_id", "kind", "observed_on", "months_overdue", "amount")
    for household_id, *signal in rows:
        signals[household_id].append(signal)
    return signals


def households_assess(household_ids, *, model: RiskModel, batch_id=None, source_name="",
                      actor=None) -> dict:
    """Score households, record an assessment each, open or update their alerts.

    Must run inside a transaction; returns the counts.
    """
    params = Params.of(model)
    today = timezone.localdate()
    households = list(Household.objects.filter(id__in=household_ids).values_list(
        "id", "lives_alone", "elderly"))
    signals = _signals_by_household([h[0] for h in households])
    assessments = []
    for household_id, lives_alone, elderly in households:
        result = score_household(lives_alone=lives_alone, elderly=elderly,
                                 signals=signals.get(household_id, ()), params=params,
                                 today=today)
        assessments.append(RiskAssessment(
            household_id=household_id, model_version=model.version, score=result.score,
            level=result.level, factors=result.factors, batch_id=batch_id,
        ))
    alerting = {a.household_id: a for a in assessments if a.score >= params.threshold}
    if connection.vendor == "postgresql":
        opened_ids, updated_ids = _assessments_store_pg(assessments, alerting, today)
    else:
        opened_ids, updated_ids = _assessments_store(assessments, alerting, today)
    levels = dict(CrisisLevel.choices)
    lines = []
    for assessment in assessments:
        summary = _("위기도 %(score)s점 (%(level)s)") % {
            "score": assessment.score, "level": levels[assessment.level]}
        if assessment.factors:
            summary += " · " + " · ".join(assessment.factors)
        if assessment.household_id in alerting:
            if assessment.household_id in updated_ids:
                summary += " — " + _("발굴 대상 갱신")
            else:
                summary += " — " + _("발굴 대상 등록")
        if source_name:
            summary = _("위기정보 반영 (%(source)s): ") % {"source": source_name} + summary
        lines.append(dict(household_id=assessment.household_id, kind="assessment",
                          summary=summary, actor=actor))
    timeline_add_many(lines)
    return {"households_scored": len(assessments), "alerts_opened": len(opened_ids),
            "alerts_updated": len(updated_ids)}


def _assessments_store(assessments, alerting, today) -> tuple[set, set]:
    """Save assessments; open an alert per alerting household or update its open one."""
    RiskAssessment.objects.bulk_create(assessments, batch_size=2000)
    # SQLite does not return the ids of bulk-created rows: the newest per household is ours.
    latest = dict(RiskAssessment.objects.filter(
        household_id__in=[a.household_id for a in assessments],
    ).values_list("household_id").annotate(last=Max("id")).order_by())
    for assessment in assessments:
        assessment.pk = latest.get(assessment.household_id)
    open_alerts = {
        alert.household_id: alert for alert in DiscoveryAlert.objects.select_for_update()
        .filter(household_id__in=list(alerting), status=DiscoveryAlert.Status.OPEN)
    }
    opened, updated = [], []
    for household_id, assessment in alerting.items():
        due = _due_on(assessment.level, today)
        alert = open_alerts.get(household_id)
        if alert is None:
            opened.append(DiscoveryAlert(
                household_id=household_id, assessment_id=assessment.pk, due_on=due,
                level=assessment.level, score=assessment.score, origin="risk_model",
            ))
        else:
            alert.assessment_id = assessment.pk
            alert.level, alert.score = assessment.level, assessment.score
            # A deadline already given is never pushed back by a rescore.
            alert.due_on = min(alert.due_on, due)
            alert.updated_at = timezone.now()
            updated.append(alert)
    DiscoveryAlert.objects.bulk_create(opened, batch_size=2000)
    DiscoveryAlert.objects.bulk_update(
        updated, ["assessment", "level", "score", "due_on", "updated_at"], batch_size=2000)
    return {a.household_id for a in opened}, {a.household_id for a in updated}


def _pg_bulk_insert(model, objs: list, tail: str = "") -> list[tuple]:
    """PostgreSQL: INSERT … SELECT FROM unnest(one array per column) in one statement, so
    thousands of rows cost one round trip and a handful of parameters. Columns come from
    the model, so a field added later is filled from its default."""
    if not objs:
        return []
    now = timezone.now()
    names, arrays, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values, db_type = [now] * len(objs), field.db_type(connection)
        elif isinstance(field, models.JSONField):
            values = [json.dumps(getattr(o, field.attname), ensure_ascii=False) for o in objs]
            db_type = "jsonb"
        else:
            values = [getattr(o, field.attname) for o in objs]
            db_type = field.db_type(connection)
        names.append(connection.ops.quote_name(field.column))
        arrays.append(f"%s::{db_type}[]")
        params.append(values)
    sql = (f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(names)}) "
           f"SELECT * FROM unnest({', '.join(arrays)}) {tail}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if "RETURNING" in tail else []


def _assessments_store_pg(assessments, alerting, today) -> tuple[set, set]:
    """The same as _assessments_store in two statements: the assessments, then one upsert
    of the alerts on the one-open-alert-per-household index."""
    returned = _pg_bulk_insert(RiskAssessment, assessments, "RETURNING id, household_id")
    ids = dict((household_id, pk) for pk, household_id in returned)
    for assessment in assessments:
        assessment.pk = ids[assessment.household_id]
    alerts = [
        DiscoveryAlert(household_id=household_id, assessment_id=a.pk, level=a.level,
                       score=a.score, due_on=_due_on(a.level, today), origin="risk_model")
        for household_id, a in sorted(alerting.items())
    ]
    returned = _pg_bulk_insert(DiscoveryAlert, alerts, (
        "ON CONFLICT (household_id) WHERE status = 'open' DO UPDATE SET "
        "assessment_id = EXCLUDED.assessment_id, level = EXCLUDED.level, "
        "score = EXCLUDED.score, updated_at = EXCLUDED.updated_at, "
        # A deadline already given is never pushed back by a rescore.
        "due_on = LEAST(outreach_discoveryalert.due_on, EXCLUDED.due_on) "
        "RETURNING household_id, (xmax = 0)"
    ))
    opened = {household_id for household_id, inserted in returned if inserted}
    return opened, {household_id for household_id, inserted in returned if not inserted}


def signal_chunk_score(batch_id: int, number: int) -> None:
    chunk = SignalChunk.objects.select_related("batch", "batch__source").filter(
        batch_id=batch_id, phase=SignalChunk.Phase.SCORE, number=number).first()
    if chunk is None:
        return
    if chunk.status != SignalChunk.Status.PENDING:
        _batch_after_score(batch_id)
        return
    batch = chunk.batch
    SignalChunk.objects.filter(pk=chunk.pk).update(attempts=chunk.attempts + 1)
    model = (RiskModel.objects.filter(version=batch.model_version).first()
             or risk_model_current())
    with transaction.atomic():
        locked = SignalChunk.objects.select_for_update().get(pk=chunk.pk)
        if locked.status != SignalChunk.Status.PENDING:
            return
        household_ids = list(
            RiskSignal.objects.filter(batch_id=batch_id, household_id__gte=chunk.start,
                                      household_id__lte=chunk.end)
            .values_list("household_id", flat=True).distinct()
        )
        locked.stats = households_assess(household_ids, model=model, batch_id=batch_id,
                                         source_name=batch.source.name)
        locked.status = SignalChunk.Status.DONE
        locked.finished_at = timezone.now()
        locked.save(update_fields=["stats", "status", "finished_at"])
    _batch_after_score(batch_id)


def _batch_after_score(batch_id: int) -> None:
    open_chunks = SignalChunk.objects.filter(
        batch_id=batch_id, phase=SignalChunk.Phase.SCORE
    ).exclude(status=SignalChunk.Status.DONE)
    if open_chunks.exists():
        return
    SignalBatch.objects.filter(pk=batch_id, status=SignalBatch.Status.SCORING).update(
        status=SignalBatch.Status.DONE, finished_at=timezone.now(),
        **chunk_totals(batch_id, SignalChunk.Phase.SCORE, SCORE_COUNTERS),
    )


def risk_model_rescore(version: int) -> int:
    """Rescore every household with signals under ``version``; households already
    assessed under it are skipped, so a re-run continues where it stopped."""
    model = RiskModel.objects.filter(version=version).first()
    if model is None or model.version != risk_model_current().version:
        return 0
    done = 0
    ids = list(RiskSignal.objects.filter(household__isnull=False)
               .values_list("household_id", flat=True).distinct().order_by("household_id"))
    for start in range(0, len(ids), SCORE_CHUNK_HOUSEHOLDS):
        part = ids[start:start + SCORE_CHUNK_HOUSEHOLDS]
        with transaction.atomic():
            already = set(RiskAssessment.objects.filter(
                household_id__in=part, model_version=version, batch__isnull=True,
            ).values_list("household_id", flat=True))
            todo = [h for h in part if h not in already]
            if todo:
                done += households_assess(todo, model=model,
                                          source_name="")["households_scored"]
    return done


def risk_model_preview(data: dict) -> dict:
    """What-if: how many households would alert, by level, under an edited (unsaved) model
    vs the current one."""
    params = Params.of(RiskModel(**data))
    current = Params.of(risk_model_current())
    today = timezone.localdate()
    ids = list(RiskSignal.objects.filter(household__isnull=False)
               .values_list("household_id", flat=True).distinct())
    result = {"households": len(ids), "now": defaultdict(int), "edited": defaultdict(int)}
    for start in range(0, len(ids), SCORE_CHUNK_HOUSEHOLDS):
        part = ids[start:start + SCORE_CHUNK_HOUSEHOLDS]
        signals = _signals_by_household(part)
        for household_id, lives_alone, elderly in Household.objects.filter(
                id__in=part).values_list("id", "lives_alone", "elderly"):
            for key, p in (("now", current), ("edited", params)):
                r = score_household(lives_alone=lives_alone, elderly=elderly,
                                    signals=signals.get(household_id, ()), params=p, today=today)
                if r.score >= p.threshold:
                    result[key]["alerts"] += 1
                result[key][r.level] += 1
    result["now"], result["edited"] = dict(result["now"]), dict(result["edited"])
    return result


def signal_batch_summary(batch: SignalBatch) -> dict:
    """The JSON summary of a batch (import_signals --json, the API); counts are live."""
    parse = chunk_totals(batch.pk, SignalChunk.Phase.PARSE, PARSE_COUNTERS)
    score = chunk_totals(batch.pk, SignalChunk.Phase.SCORE, SCORE_COUNTERS)
    errors = [
        {"line": line, "column": column, "reason": reason}
        for line, column, reason in batch.rejections.order_by("line", "id")
        .values_list("line", "column", "reason")[:1000]
    ]
    return {
        "batch_id": batch.pk, "status": batch.status, **{k: parse[k] for k in (
            "rows", "accepted", "rejected", "duplicates", "matched_people",
            "unregistered_candidates")},
        "unmatched": parse["unmatched"], **score, "errors": errors,
        "failure_reason": batch.failure_reason,
    }

