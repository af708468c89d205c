"""The Celery app (tasks run in process in the embedded mode) and enqueue-by-name."""

import os

from celery import Celery
from celery.signals import task_prerun, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("doorstep")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def arrow_loaded(**kwargs) -> None:
    """A worker stages agency files with Arrow (outreach.signal_arrow, which the web
    processes never import): loaded as the worker starts, before it takes a message,
    rather than by the first chunk of its first round (0.08 s that chunk waited). A
    prefork pool's processes inherit it."""
    from outreach import signal_arrow  # noqa: F401


@task_prerun.connect
def database_checked(task=None, **kwargs) -> None:
    """A worker keeps its database connection across tasks (CELERY_DB_REUSE_MAX): one that
    broke since the last task — the server restarted, the connection was cut — is closed
    first, so the task opens a new one instead of failing on it (what CONN_HEALTH_CHECKS
    does for a request)."""
    if task is None or getattr(task.request, "is_eager", False):
        return
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        if conn.connection is not None and not conn.is_usable():
            conn.close()


def enqueue_on_commit(task_name: str, *args) -> None:
    """Queue the registered task ``task_name`` once the current transaction commits.

    Services name the next step of a pipeline by its task name instead of importing
    the tasks module, because the tasks import the services (imports go one way).
    In the embedded mode the task runs in process at commit, as ``delay_on_commit`` does.
    """
    app.tasks[task_name].delay_on_commit(*args)


def tasks_in_hand(timeout: float = 1.0) -> set[str] | None:
    """The ids of the tasks that live workers are running, hold (prefetched) or have
    scheduled for later (a retry's countdown); None when no worker answers."""
    inspect = app.control.inspect(timeout=timeout)
    replies = [inspect.active(), inspect.reserved(), inspect.scheduled()]
    if not any(replies):
        return None
    ids = set()
    for reply in filter(None, replies):
        for requests in reply.values():
            for request in requests:
                ids.add((request.get("request") or request).get("id"))
    ids.discard(None)
    return ids
