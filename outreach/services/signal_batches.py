"""Agency files (위기정보): receive one, split it into chunks, parse, match and store each
chunk exactly once. Tasks call these with ids; every step can run twice safely."""

import gc
import hashlib
import os
import tempfile

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from config.celery import enqueue_on_commit
from households import rrn_known
from households.bulk import dong_ids_by_code_and_name
from households.models import (
    Organization,
    mask_name,
)
from outreach import signal_files, signal_stream
from outreach.models import (
    RiskSignal,
    SignalBatch,
    SignalChunk,
    SignalRejection,
)
from outreach.selectors.signal_batches import (
    PARSE_COUNTERS,
    chunk_totals,
    signal_chunks_open,
)
from outreach.services import signal_staging
from outreach.services.signal_matching import (
    signal_candidates_create,
    signal_rows_match,
    signal_rows_place,
)
from outreach.signal_files import FileRejected

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


class _Spooled(File):
    """The spooled upload as storage takes it: moved into place, not written a second time
    (FileSystemStorage moves a file that has a temporary path, as it does an upload Django
    spooled; another storage reads it)."""

    def temporary_file_path(self) -> str:
        return self.file.name


def _spool_dir() -> str:
    path = os.path.join(settings.MEDIA_ROOT, "signal_batches", "incoming")
    os.makedirs(path, exist_ok=True)
    return path


def signal_batch_receive(*, source: Organization, fileobj, filename: str, channel: str,
                         user=None, encoding: str = "auto") -> tuple[SignalBatch, bool]:
    """Keep the raw file and queue it; the same bytes again from the same source return
    that source's batch, unless it failed: then they are a new batch (the agency resends).

    Raises FileRejected (nothing stored) for a file that is not a usable CSV/XLSX.
    """
    max_bytes = settings.SIGNAL_UPLOAD_MAX_BYTES
    path, sha256, size = _spool(fileobj, max_bytes)
    try:
        # Another source's identical bytes are never matched: their batch is not ours.
        same = SignalBatch.objects.filter(source=source, sha256=sha256).exclude(
            status=SignalBatch.Status.FAILED)
        existing = same.first()
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
                    batch.file.save(f"{sha256[:16]}{suffix}", _Spooled(f), save=False)
                batch.save()

                enqueue_on_commit("outreach.tasks.signal_batch_start", batch.pk)
        except IntegrityError:
            # The same file arrived twice at once: the other request stored it.
            if batch.file:
                batch.file.delete(save=False)
            return same.get(), False
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

    batch = SignalBatch.objects.filter(pk=batch_id).first()
    if batch is None or batch.finished:
        return
    if batch.status == SignalBatch.Status.RECEIVED:
        if batch.file_format == "xlsx" and not os.path.exists(_data_path(batch)):
            partial = f"{_data_path(batch)}.{os.getpid()}.part"
            broken_line, reason = signal_files.xlsx_to_csv(batch.file.path, partial)
            if broken_line:
                # Kept before the CSV is, so a restart that finds the CSV has it too.
                SignalRejection.objects.get_or_create(
                    batch_id=batch_id, line=broken_line, column="", defaults={"message": reason})
            os.replace(partial, _data_path(batch))
        ranges = signal_stream.split(_data_path(batch), settings.SIGNAL_CHUNK_ROWS)
        # SIGNAL_MAX_ROWS: the chunks past it are not read; their first line says why.
        keep = -(-settings.SIGNAL_MAX_ROWS // settings.SIGNAL_CHUNK_ROWS)
        if len(ranges) > keep:
            SignalRejection.objects.get_or_create(
                batch_id=batch_id, line=ranges[keep].first_line, column="", defaults={
                    "message": {"code": "too_many_rows", "n": f"{settings.SIGNAL_MAX_ROWS:,}"}})
            ranges = ranges[:keep]
        ranges = signal_stream.tail_halved(_data_path(batch), ranges)
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
        enqueue_on_commit("outreach.tasks.signal_chunk_parse", batch_id, number)
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



def signals_insert(values: list[dict]) -> dict:
    """Store new signals, skip ones already known; returns {match: rows inserted}
    (SQLite; PostgreSQL stores a chunk set-based: signal_staging.chunk_store)."""
    signals = [RiskSignal(**v) for v in values]
    RiskSignal.objects.bulk_create(signals, ignore_conflicts=True, batch_size=2000)
    batch_id, chunk_no = signals[0].batch_id, signals[0].chunk_no
    return dict(RiskSignal.objects.filter(batch_id=batch_id, chunk_no=chunk_no)
                .values_list("match").annotate(n=Count("observation")).order_by())



def signal_chunk_claim(batch_id: int, phase: str, number: int, *,
                       claimed_by: str = "") -> SignalChunk | None:
    """The chunk a task is about to work on, with its batch and source; a pending one has
    this attempt counted (a chunk that keeps failing shows how often it was tried) and
    records which task holds it since when (``claimed_by``: the Celery task id)."""
    chunk = SignalChunk.objects.select_related("batch", "batch__source").filter(
        batch_id=batch_id, phase=phase, number=number).first()
    if chunk is not None and chunk.status == SignalChunk.Status.PENDING:
        SignalChunk.objects.filter(pk=chunk.pk).update(
            attempts=chunk.attempts + 1, claimed_by=claimed_by[:255],
            claimed_at=timezone.now())
    return chunk


CHUNK_TASKS = {SignalChunk.Phase.PARSE: "outreach.tasks.signal_chunk_parse",
               SignalChunk.Phase.SCORE: "outreach.tasks.signal_chunk_score"}


def signal_chunks_recover(*, tasks_in_hand: set[str], claimed_before,
                          idle_since=None) -> int:
    """Queue again the pending chunks whose task no live worker holds any more (its worker
    was killed: the broker would give the message back only after the visibility
    timeout). ``tasks_in_hand`` are the ids of the tasks live workers run, hold or have
    scheduled, asked *before* ``claimed_before``: a chunk claimed later is left alone.

    With ``idle_since`` (the caller found every live worker idle, and this is that moment
    less a grace): the pending chunks nobody claimed, queued before it, too. An idle worker
    would have fetched their messages at once, so the broker lost them — Redis killed as
    a worker popped a message and before it recorded it as unacknowledged.

    The same holds for a batch's own steps (_batch_steps_resend). Returns what was sent.

    Idempotent: the claim is cleared (or the queueing time moved on) as the chunk is
    queued, so a second caller finds nothing to do; a chunk delivered twice is still
    stored once."""
    running = [SignalBatch.Status.PARSING, SignalBatch.Status.SCORING]
    pending = SignalChunk.objects.filter(status=SignalChunk.Status.PENDING,
                                         batch__status__in=running)
    read = ("pk", "claimed_by", "queued_at", "batch_id", "phase", "number")
    orphans = (pending.filter(claimed_at__lt=claimed_before)
               .exclude(claimed_by="").exclude(claimed_by__in=tasks_in_hand)
               .values_list(*read))
    lost = (pending.filter(claimed_by="", queued_at__lt=idle_since).values_list(*read)
            if idle_since is not None else [])
    queued = 0
    for pk, claimed_by, queued_at, batch_id, phase, number in [*orphans, *lost]:
        with transaction.atomic():
            if SignalChunk.objects.filter(
                pk=pk, claimed_by=claimed_by, queued_at=queued_at,
                status=SignalChunk.Status.PENDING,
            ).update(claimed_by="", claimed_at=None, queued_at=timezone.now()):
                enqueue_on_commit(CHUNK_TASKS[phase], batch_id, number)
                queued += 1
    if idle_since is not None:
        queued += _batch_steps_resend(idle_since)
    return queued


def _batch_steps_resend(idle_since) -> int:
    """Every worker idle since ``idle_since``: a batch still received then (its start
    message lost) is started again, and a batch whose parsing finished before then but
    whose scoring was never planned (that message lost) is planned again. Both tasks do
    nothing a second time."""
    sent = 0
    for batch_id in SignalBatch.objects.filter(status=SignalBatch.Status.RECEIVED,
                                               created_at__lt=idle_since
                                               ).values_list("pk", flat=True):
        enqueue_on_commit("outreach.tasks.signal_batch_start", batch_id)
        sent += 1
    unplanned = SignalBatch.objects.filter(status=SignalBatch.Status.SCORING,
                                           score_chunks_total=0).values_list("pk", flat=True)
    for batch_id in unplanned:
        chunks = SignalChunk.objects.filter(batch_id=batch_id)
        if (chunks.filter(phase=SignalChunk.Phase.SCORE).exists()
                or chunks.filter(phase=SignalChunk.Phase.PARSE,
                                 finished_at__gte=idle_since).exists()):
            continue
        enqueue_on_commit("outreach.tasks.signal_batch_score", batch_id)
        sent += 1
    return sent


def signal_chunk_parse(batch_id: int, number: int, *, claimed_by: str = "") -> None:
    """Validate, match and store one chunk's rows exactly once."""
    chunk = signal_chunk_claim(batch_id, SignalChunk.Phase.PARSE, number,
                               claimed_by=claimed_by)
    if chunk is None:
        return
    if chunk.status != SignalChunk.Status.PENDING:
        _batch_after_parse(batch_id)
        return
    if connection.vendor == "postgresql":
        _chunk_parse_staged(chunk)
    else:
        _chunk_parse_rows(chunk)
    _batch_after_parse(batch_id)


def _chunk_done(chunk: SignalChunk, problems: list, store) -> None:
    """In one transaction, unless another delivery finished the chunk first: the rejected
    lines (``problems``: RowErrors), the signals (``store()`` returns (rows offered,
    {match: rows inserted})) and the counts."""
    rejections = [
        SignalRejection(batch_id=chunk.batch_id, line=problem.line, column=column,
                        message=reason)
        for problem in problems for column, reason in problem.errors]
    with transaction.atomic():
        locked = SignalChunk.objects.select_for_update().get(pk=chunk.pk)
        if locked.status != SignalChunk.Status.PENDING:
            return
        signal_staging.chunk_commit_unflushed()
        SignalRejection.objects.bulk_create(rejections, ignore_conflicts=True, batch_size=2000)
        rows, kept = store()
        accepted = sum(kept.values())
        locked.stats = {
            "rows": rows + len(problems), "accepted": accepted, "rejected": len(problems),
            "duplicates": rows - accepted,
            "matched_people": kept.get("rrn", 0) + kept.get("name", 0),
            "unregistered_candidates": kept.get("candidate", 0),
            "unmatched": kept.get("unmatched", 0),
        }
        locked.status = SignalChunk.Status.DONE
        locked.finished_at = timezone.now()
        locked.error = ""
        locked.save(update_fields=["stats", "status", "finished_at", "error"])


def _chunk_parse_staged(chunk: SignalChunk) -> None:
    """PostgreSQL: the chunk staged column by column (outreach.signal_arrow), or decoded
    at once and staged row by row where Arrow cannot vouch for it (signal_stream), then
    stored set-based (outreach.services.signal_staging). Rows about somebody the registry
    does not hold, with no address, are only counted (households.rrn_known)."""
    # Arrow (about 60 MB once loaded) only in the processes that stage chunks, not in
    # every web process that imports this module.
    from outreach import signal_arrow

    batch = chunk.batch
    places = signal_stream.Places(*dong_ids_by_code_and_name())
    # Tens of thousands of small lists and tuples that live until the chunk is stored:
    # the cyclic collector would walk them again and again, finding nothing.
    gc.disable()
    try:
        path, encoding = _data_path(batch), _data_encoding(batch)
        delimiter = batch.delimiter or ","
        stager = signal_stream.Stager(batch.columns, timezone.localdate(), places,
                                      rrn_known.KNOWN.current())
        blob = signal_stream.chunk_bytes(path, chunk.start, chunk.end)
        staged = signal_arrow.stage_chunk(blob, stager, first_line=chunk.first_line,
                                          encoding=encoding, delimiter=delimiter)
        if staged is None:
            # Read the row-wise way, from the bytes already read.
            staged = stager.stage(signal_stream.read_records(
                path, start=chunk.start, end=chunk.end, first_line=chunk.first_line,
                encoding=encoding, delimiter=delimiter, blob=blob))
        del blob
    finally:
        gc.enable()

    def store():
        kept = signal_staging.chunk_store(
            staged.rows, source=batch.source, batch_id=batch.pk, chunk_no=chunk.number
        ) if staged.rows else {}
        if staged.outsiders:
            kept["unmatched"] = kept.get("unmatched", 0) + staged.outsiders
        return len(staged.rows) + staged.outsiders, kept

    _chunk_done(chunk, staged.problems, store)


def _chunk_parse_rows(chunk: SignalChunk) -> None:
    """SQLite (the embedded default: the demo and small files): row by row."""
    batch, number = chunk.batch, chunk.number
    today = timezone.localdate()
    good, bad = [], []
    for raw in signal_files.read_chunk(
        _data_path(batch), start=chunk.start, end=chunk.end, first_line=chunk.first_line,
        encoding=_data_encoding(batch), delimiter=batch.delimiter or ",",
    ):
        result = signal_files.validate(raw, batch.columns, today)
        (good if isinstance(result, signal_files.SignalRow) else bad).append(result)
    signal_rows_match(good)
    places = signal_rows_place(good)
    signal_candidates_create(good, places, batch.source)
    # Unmatched with no address: counted, not kept (signal_staging._SPLIT says why).
    placeable = [row for row in good if row.match != "unmatched"
                 or row.address or row.address_detail]
    unplaceable = len(good) - len(placeable)

    signals = sorted(
        (
            dict(
                source_id=batch.source_id, kind=row.kind, subject=row.subject,
                observed_on=row.observed_on, months_overdue=row.months_overdue,
                amount=row.amount, batch_id=batch.pk, chunk_no=number, line=row.line,
                household_id=row.household_id, person_id=row.person_id, match=row.match,
                name_masked=mask_name(row.name)[:50] if row.match == "unmatched" else "",
                address=(f"{row.address} {row.address_detail}".strip()[:250]
                         if row.match == "unmatched" else ""),
            )
            for row in placeable
        ),
        # One order for every chunk: concurrent inserts of shared keys cannot deadlock.
        key=lambda s: (s["kind"], s["subject"], s["observed_on"]),
    )

    def store():
        kept = signals_insert(signals) if signals else {}
        if unplaceable:
            kept["unmatched"] = kept.get("unmatched", 0) + unplaceable
        return len(good), kept

    _chunk_done(chunk, bad, store)


def _batch_after_parse(batch_id: int) -> None:
    """When every parse chunk is done, parsing → scoring (exactly one caller wins)."""

    if signal_chunks_open(batch_id, SignalChunk.Phase.PARSE):
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
            enqueue_on_commit("outreach.tasks.signal_batch_score", batch_id)
