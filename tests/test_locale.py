"""The English translation is kept complete: every Korean string has an English one."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def entries(po_text: str):
    """(msgid, msgstr, fuzzy) triples of a .po file, header skipped."""
    out = []
    for block in po_text.split("\n\n"):
        fuzzy = "#, fuzzy" in block or re.search(r"^#,.*fuzzy", block, re.M) is not None
        msgid = "".join(re.findall(r'^(?:msgid|msgid_plural)?\s*"(.*)"$',
                                   block.split("msgstr")[0], re.M))
        msgstrs = re.findall(r'^msgstr(?:\[\d\])?\s+"(.*)"((?:\n".*")*)', block, re.M)
        if not msgid:
            continue
        out.append((msgid, ["".join([a] + re.findall(r'"(.*)"', b)) for a, b in msgstrs], fuzzy))
    return out


def test_every_string_has_an_english_translation():
    missing = [msgid for msgid, strs, fuzzy in entries(PO.read_text(encoding="utf-8"))
               if fuzzy or not strs or not all(strs)]
    assert not missing, f"{len(missing)} untranslated: {missing[:10]}"


def test_compiled_catalogue_is_not_older_than_the_source():
    assert MO.exists() and MO.stat().st_size > 0


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext's xgettext")
def test_catalogue_holds_every_string_in_the_code(tmp_path):
    """Re-extract the strings in a copy of the tree; none may be missing from the catalogue."""
    import os

    copy = tmp_path / "tree"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(
        ".venv", ".git", "staticfiles", "media", "test-artifacts", "*.sqlite3", "node_modules"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "makemessages", "-l", "en",
         "--ignore=staticfiles", "--ignore=tests", "--no-obsolete", "-v0"],
        cwd=copy, check=True, env=env,
    )
    fresh = {msgid for msgid, _, _ in entries((copy / PO.relative_to(ROOT)).read_text("utf-8"))}
    committed = {msgid for msgid, _, _ in entries(PO.read_text(encoding="utf-8"))}
    assert not fresh - committed, f"not in locale/en: {sorted(fresh - committed)[:10]}"


def test_pages_switch_to_english(client, staff1):
    client.force_login(staff1)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/inbox/").content.decode()
    assert 'lang="en"' in html
    assert "Inbox" in html and "처리함" not in html


HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")


def _example(entry) -> dict:
    return entry.example() if hasattr(entry, "example") else {}


def test_every_stored_code_has_words_in_both_languages():
    """Timeline entries, risk factors and rejection reasons are stored as codes: each code
    reads as Korean on a Korean page and has no Korean left on an English one."""
    from django.utils import translation

    from households.messages import message_text, messages_registered

    codes = messages_registered()
    assert {"assessment_scored", "power_cutoff", "factor_alone", "service_link",
            "observed_format", "visit_recorded"} <= set(codes)
    untranslated = []
    for code, entry in codes.items():
        stored = {"code": code, **_example(entry)}
        if code == "text":
            continue
        with translation.override("ko"):
            korean = message_text(stored)
        with translation.override("en"):
            english = message_text(stored)
        assert korean, code
        if HANGUL.search(english):
            untranslated.append((code, english))
    assert not untranslated, untranslated


def _korean_outside_gettext_in_templates(text: str) -> list[str]:
    text = re.sub(r"\{%\s*blocktranslate.*?%\}.*?\{%\s*endblocktranslate\s*%\}", "", text,
                  flags=re.S)
    text = re.sub(r"\{%\s*translate\s+(\"[^\"]*\"|'[^']*').*?%\}", "", text, flags=re.S)
    text = re.sub(r"\{#.*?#\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", "", text,
                  flags=re.S)
    text = re.sub(r"_\((\"[^\"]*\"|'[^']*')\)", "", text)
    # Korean on purpose: words marked lang="ko" (the brand) and the switch's own name.
    text = re.sub(r"<span lang=\"ko\">[^<]*</span>|한국어", "", text)
    return [line.strip() for line in text.splitlines() if HANGUL.search(line)]


def test_templates_hold_no_korean_outside_translation_tags():
    found = {str(path.relative_to(ROOT)): lines
             for path in sorted((ROOT / "templates").rglob("*.html"))
             if (lines := _korean_outside_gettext_in_templates(path.read_text("utf-8")))}
    assert not found, found


def test_javascript_holds_no_korean_outside_gettext():
    found = {}
    for path in sorted((ROOT / "static" / "js").rglob("*.js")):
        text = re.sub(r"/\*.*?\*/", "", path.read_text("utf-8"), flags=re.S)
        text = re.sub(r"//.*", "", text)
        text = re.sub(r"gettext\((\"[^\"]*\"|'[^']*')\)", "", text)
        if lines := [line.strip() for line in text.splitlines() if HANGUL.search(line)]:
            found[str(path.relative_to(ROOT))] = lines
    assert not found, found


JS_PO = PO.with_name("djangojs.po")


def test_every_javascript_string_has_an_english_translation():
    missing = [msgid for msgid, strs, fuzzy in entries(JS_PO.read_text(encoding="utf-8"))
               if fuzzy or not strs or not all(strs)]
    assert not missing, missing
    assert JS_PO.with_suffix(".mo").exists()


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext's xgettext")
def test_javascript_catalogue_holds_every_string_in_the_scripts(tmp_path):
    import os

    copy = tmp_path / "tree"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(
        ".venv", ".git", "staticfiles", "media", "test-artifacts", "*.sqlite3", "node_modules",
        "vendor", "*.min.js"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "makemessages", "-l", "en",
         "-d", "djangojs", "--ignore=staticfiles", "--ignore=tests", "--ignore=.venv",
         "--no-obsolete", "-v0"],
        cwd=copy, check=True, env=env,
    )
    fresh = {msgid for msgid, _, _ in entries(
        (copy / JS_PO.relative_to(ROOT)).read_text("utf-8"))}
    committed = {msgid for msgid, _, _ in entries(JS_PO.read_text(encoding="utf-8"))}
    assert fresh and not fresh - committed, sorted(fresh - committed)


def test_no_translated_string_hides_where_makemessages_cannot_read_it():
    """xgettext reads neither inside an f-string nor through an alias such as _lazy: a
    string there is never extracted, so never translated (the chart note was one)."""
    hidden = []
    for path in sorted(ROOT.glob("[a-z]*/**/*.py")):
        if ".venv" in path.parts or "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text("utf-8")
        for match in re.finditer(r"\bf(\"[^\"\n]*\"|'[^'\n]*')", text):
            if re.search(r"\{[^}]*\b(_|gettext|gettext_lazy)\(", match[1]):
                hidden.append(f"{path.relative_to(ROOT)}: {match[0][:60]}")
        for alias in re.findall(r"import (?:gettext|gettext_lazy|ngettext) as (\w+)", text):
            if alias != "_":
                hidden.append(f"{path.relative_to(ROOT)}: alias {alias}")
    assert not hidden, hidden
