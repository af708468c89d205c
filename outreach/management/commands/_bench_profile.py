"""bench_signals --profile: where a round's time goes, measured inside the workers.

bench_signals starts its workers with ``--include`` of this module and BENCH_PROFILE_DIR
set; without that variable, importing it changes nothing. In a worker it times:

- each task (wall and the worker's own CPU), by task name;
- the steps of storing a parse chunk: staging it in the worker (signal_arrow, or the
  row-wise reader where Arrow declines), the COPY of its rows (the worker encoding them
  while the server stores them), the whole store;
- every SQL statement the worker's Django connection runs (Django's execute_wrapper),
  and every commit, by wall time waited — the server's work plus the round trip —
  summed by the statement's opening words.

After each task a worker writes its sums to ``<dir>/profile-<pid>.json``;
``profile_report`` adds the workers' up. Timing costs a few microseconds a statement,
none a row.
"""

import json
import os
import time
from collections import defaultdict
from contextlib import contextmanager
from functools import wraps
from pathlib import Path

ENV = "BENCH_PROFILE_DIR"
_LABEL = 72  # the statement's opening characters it is summed under


def _sums() -> dict[str, dict[str, list]]:
    """{group: {label: [count, wall seconds, CPU seconds]}}"""
    return defaultdict(lambda: defaultdict(lambda: [0, 0.0, 0.0]))


_SUMS = _sums()


def _add(group: str, label: str, wall: float, cpu: float = 0.0, *, count: int = 1,
         into=None) -> None:
    entry = (_SUMS if into is None else into)[group][label]
    entry[0] += count
    entry[1] += wall
    entry[2] += cpu


@contextmanager
def _clock(group: str, label: str, *, cpu: bool = True):
    """Time the block, also when it raises; with ``cpu``, the worker's own CPU too."""
    wall, used = time.perf_counter(), time.process_time() if cpu else 0.0
    try:
        yield
    finally:
        _add(group, label, time.perf_counter() - wall,
             time.process_time() - used if cpu else 0.0)


def _timed(group: str, label: str, function):
    @wraps(function)
    def timed(*args, **kwargs):
        with _clock(group, label):
            return function(*args, **kwargs)
    return timed


def _statement(execute, sql, params, many, context):
    with _clock("statements", " ".join(sql.split())[:_LABEL], cpu=False):
        return execute(sql, params, many, context)


def _install(directory: Path) -> None:
    from celery.signals import task_postrun, task_prerun
    from django.db import connection
    from django.db.backends.base.base import BaseDatabaseWrapper

    from outreach import signal_arrow, signal_stream
    from outreach.services import signal_staging

    signal_arrow.stage_chunk = _timed("steps", "stage a chunk (Arrow)",
                                      signal_arrow.stage_chunk)
    signal_stream.read_records = _timed("steps", "read a chunk row-wise (Arrow declined)",
                                        signal_stream.read_records)
    signal_staging._copy_rows = _timed("steps", "COPY rows in (worker encodes, server "
                                       "stores)", signal_staging._copy_rows)
    signal_staging.chunk_store = _timed("steps", "store a chunk (COPY and statements)",
                                        signal_staging.chunk_store)
    BaseDatabaseWrapper._commit = _timed("statements", "COMMIT", BaseDatabaseWrapper._commit)
    started: dict[str, tuple[float, float]] = {}

    @task_prerun.connect(weak=False)
    def task_started(task_id=None, task=None, **kwargs):
        if _statement not in connection.execute_wrappers:
            connection.execute_wrappers.append(_statement)
        started[task_id] = (time.perf_counter(), time.process_time())

    @task_postrun.connect(weak=False)
    def task_finished(task_id=None, task=None, **kwargs):
        wall, cpu = started.pop(task_id, (time.perf_counter(), time.process_time()))
        _add("tasks", task.name, time.perf_counter() - wall, time.process_time() - cpu)
        target = directory / f"profile-{os.getpid()}.json"
        target.write_text(json.dumps(_SUMS))


def profile_report(directory: Path, statements: int = 12) -> list[str]:
    """The workers' sums, added up, as lines to print; the files are removed."""
    total = _sums()
    for path in directory.glob("profile-*.json"):
        for group, labels in json.loads(path.read_text()).items():
            for label, (count, wall, cpu) in labels.items():
                _add(group, label, wall, cpu, count=count, into=total)
        path.unlink()
    lines = ["profile (the workers' sums; a statement's time is waited for by its worker):"]
    for group, title, limit in (("tasks", "tasks", None), ("steps", "parse steps", None),
                                ("statements", "statements, by time waited", statements)):
        ranked = sorted(total[group].items(), key=lambda item: -item[1][1])
        if not ranked:
            continue
        lines.append(f"  {title}:")
        for label, (count, wall, cpu) in ranked[:limit]:
            spent = f"{wall:7.2f}s" + (f" (worker CPU {cpu:.2f}s)" if cpu else "")
            lines.append(f"    {spent} {count:6,}×  {label}")
        if limit and len(ranked) > limit:
            rest = ranked[limit:]
            lines.append(f"    {sum(wall for _l, (_c, wall, _u) in rest):7.2f}s "
                         f"{sum(count for _l, (count, _w, _u) in rest):6,}×  "
                         f"({len(rest)} more)")
    return lines


if os.environ.get(ENV):
    _install(Path(os.environ[ENV]))
