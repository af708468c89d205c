"""Field-level history read back: before and after per changed field, who and when.

django-simple-history writes one row per save of a tracked model (Household, Person,
and in the higher apps Referral, ServiceLink, DiscoveryAlert, Visit, Case) on SQLite and
PostgreSQL alike; ``history_entries`` turns those rows into what a reader wants to see.
Bulk SQL (the signal pipeline's COPY and ON CONFLICT upserts, queryset.update) bypasses
the ORM's save and leaves no history row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _

from households.models import mask_name

EMPTY = "—"

# How a stored value that is a code, or a sentence the system wrote, reads in the reader's
# language: {(model_name, field_name): reader}, registered by the apps that own the model
# (as their messages modules register timeline codes).
_VALUE_READERS: dict[tuple[str, str], Callable[[str], str]] = {}


def history_values_register(readers: dict) -> None:
    _VALUE_READERS.update(readers)


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    before: str
    after: str


@dataclass
class HistoryEntry:
    at: datetime
    username: str
    # "+" created, "~" changed, "-" deleted (simple-history's history_type).
    kind: str
    object_type: str
    object_label: str
    object_id: int
    household_id: int | None
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return {"+": _("생성"), "~": _("변경"), "-": _("삭제")}.get(self.kind, self.kind)


def _display(model_field: models.Field, value, usernames: dict) -> str:
    if value is None or value == "":
        return EMPTY
    reader = _VALUE_READERS.get((model_field.model._meta.model_name, model_field.name))
    if reader is not None:
        return reader(value)
    if model_field.is_relation:
        if model_field.related_model is get_user_model():
            return usernames.get(value, f"#{value}")
        return f"#{value}"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("예") if value else _("아니오")
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        # A catalogue sentence the system stored (its Korean msgid) reads in the reader's
        # language; what people typed is not in the catalogue and stays as typed.
        return gettext(value)
    return str(value)


def _field_label(model_field: models.Field) -> str:
    """The field's name for a reader; a relation left with Django's default name (the
    attribute, e.g. "household") takes the name of the model it points to."""
    label = str(model_field.verbose_name)
    if model_field.is_relation and label == model_field.name.replace("_", " "):
        return str(model_field.related_model._meta.verbose_name)
    return label


def _household_of(row) -> int | None:
    if row.instance_type._meta.model_name == "household":
        return row.id
    return getattr(row, "household_id", None)


def _label(row) -> str:
    meta = row.instance_type._meta
    if meta.model_name == "person":
        return f"{meta.verbose_name} {mask_name(row.name)}"
    return f"{meta.verbose_name} #{row.id}"


def _user_ids(rows, tracked) -> set:
    user_model = get_user_model()
    ids = {row.history_user_id for row in rows if row.history_user_id}
    for f in tracked:
        if f.is_relation and f.related_model is user_model:
            ids |= {getattr(row, f.attname) for row in rows if getattr(row, f.attname)}
    return ids


def history_entries(querysets: Iterable[QuerySet], since: datetime | None = None,
                    until: datetime | None = None) -> list[HistoryEntry]:
    """Every history row of ``querysets`` (historical managers, already scoped) as entries,
    newest first; the diff of a row is against the row of the same record before it.
    ``since``/``until`` cut the entries shown, not the rows read (a change needs the row
    before it, however old)."""
    per_model = []
    user_ids: set = set()
    for queryset in querysets:
        model = queryset.model
        tracked = [f for f in model.tracked_fields if f.name != "id"]
        rows = list(queryset.order_by("id", "history_date", "history_id"))
        user_ids |= _user_ids(rows, tracked)
        per_model.append((model, tracked, rows))
    usernames = dict(get_user_model().objects.filter(pk__in=user_ids)
                     .values_list("pk", "username"))
    entries = []
    for model, tracked, rows in per_model:
        previous = None
        for row in rows:
            if previous is not None and previous.id != row.id:
                previous = None
            if (since is None or row.history_date >= since) and (
                    until is None or row.history_date < until):
                entries.append(_entry(model, tracked, previous, row, usernames))
            previous = row
    entries.sort(key=lambda e: (e.at, e.object_type, e.object_id), reverse=True)
    return entries


def _entry(model, tracked, previous, row, usernames) -> HistoryEntry:
    changes = []
    for f in tracked:
        after = getattr(row, f.attname)
        before = getattr(previous, f.attname) if previous is not None else None
        if row.history_type == "-" or (previous is not None and before == after):
            continue
        if previous is None and after in (None, ""):
            continue
        changes.append(FieldChange(
            name=f.name, label=_field_label(f),
            before=_display(f, before, usernames), after=_display(f, after, usernames)))
    return HistoryEntry(
        at=row.history_date, username=usernames.get(row.history_user_id, ""),
        kind=row.history_type, object_type=row.instance_type._meta.model_name,
        object_label=_label(row), object_id=row.id, household_id=_household_of(row),
        changes=changes,
    )


HISTORY_EXPORT_HEADER = (
    gettext_lazy("일시"), gettext_lazy("사용자"), gettext_lazy("구분"), gettext_lazy("대상"),
    gettext_lazy("대상 번호"), gettext_lazy("가구 번호"), gettext_lazy("항목"),
    gettext_lazy("이전 값"), gettext_lazy("새 값"))


def history_export_rows(entries: Iterable[HistoryEntry]):
    """One row per changed field (a deletion is one row), for households.exports."""
    for entry in entries:
        head = (entry.at, entry.username, entry.kind_label, entry.object_label,
                entry.object_id, entry.household_id)
        if not entry.changes:
            yield (*head, "", "", "")
        for change in entry.changes:
            yield (*head, change.label, change.before, change.after)
