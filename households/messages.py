"""Messages stored as a code with its values and put into words in the reader's language.

A timeline entry, a risk factor or a rejected line is stored as ``{"code": "…", values…}``
(``message("visit_recorded", n=2, outcome="not_home")``), never as a sentence, so a
Korean page and an English page read the same row each in its own language. Each app
registers its codes with a gettext template (Korean msgid, ``%(name)s`` placeholders);
values that are themselves codes (a visit outcome, a signal kind) name the table that
puts them into words. A stored dict whose code is unknown shows its ``text`` if any.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from households.particles import particles_fix

Labels = Mapping | Callable[[object], str]


@dataclass(frozen=True)
class Template:
    """One code's words: ``text`` is a lazy Korean msgid; ``labels`` says how a value
    that is a code becomes words ({value name: {code: label}} or a function)."""

    text: object
    labels: dict[str, Labels] = field(default_factory=dict)

    def render(self, values: dict) -> str:
        shown = {}
        for name, value in values.items():
            table = self.labels.get(name)
            if table is None:
                shown[name] = value_text(value)
            elif callable(table):
                shown[name] = table(value)
            else:
                shown[name] = str(table.get(value, value))
        return particles_fix(str(self.text) % shown)

    def example(self) -> dict:
        """Values that fill every placeholder (for the completeness test)."""
        values = {}
        for name in re.findall(r"%\((\w+)\)", str(self.text._args[0]) if hasattr(
                self.text, "_args") else str(self.text)):
            table = self.labels.get(name)
            values[name] = (next(iter(table)) if isinstance(table, Mapping) and table
                            else [] if callable(table) else 1)
        return values


_REGISTRY: dict[str, object] = {}


def messages_register(entries: dict) -> None:
    """Called once by each app (at import of its messages module) with {code: Template}."""
    _REGISTRY.update(entries)


def messages_registered() -> dict:
    return dict(_REGISTRY)


def message(code: str, **values) -> dict:
    """The stored form of a message; an unregistered code is a programming error."""
    if code not in _REGISTRY:
        raise KeyError(f"message code not registered: {code}")
    return {"code": code, **values}


def value_text(value) -> str:
    if isinstance(value, dict) and "code" in value:
        return message_text(value)
    if isinstance(value, list):
        return " · ".join(value_text(v) for v in value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10000:
        return f"{value:,}"
    return "" if value is None else str(value)


def message_text(stored) -> str:
    """Words for a stored message (a dict, a list of them, or legacy plain text)."""
    if not stored:
        return ""
    if isinstance(stored, str):
        return stored
    if isinstance(stored, list):
        return " · ".join(message_text(item) for item in stored)
    if not isinstance(stored, dict):
        return str(stored)
    entry = _REGISTRY.get(stored.get("code"))
    if entry is None:
        return str(stored.get("text") or stored.get("code") or "")
    return particles_fix(entry.render({k: v for k, v in stored.items() if k != "code"}))


def message_payload(stored) -> dict:
    """What the API gives: the code, its values and the words in the request's language."""
    if isinstance(stored, dict):
        return {"code": stored.get("code", ""),
                "values": {k: v for k, v in stored.items() if k != "code"},
                "text": message_text(stored)}
    return {"code": "text", "values": {}, "text": message_text(stored)}


# Legacy rows the data migrations could not read keep their sentence: {"code": "text", …}.
messages_register({"text": Template(_("%(text)s"))})
