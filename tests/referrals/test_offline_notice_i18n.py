"""The offline notices of static/js/referral-offline.js come from Django's JavaScript catalogue."""

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "static" / "js" / "referral-offline.js"
JS_PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "djangojs.po"
NOTICES = {
    "연결되면 자동으로 보냅니다. 작성한 내용은 이 휴대폰에 저장되어 있습니다.":
        "It will be sent automatically once you are back online. What you wrote is "
        "saved on this phone.",
    "보내는 중입니다…": "Sending…",
    "저장해 둔 작성 내용을 불러왔습니다.": "Your saved draft has been restored.",
}


def test_the_script_asks_the_catalogue_and_falls_back_to_korean():
    js = SCRIPT.read_text(encoding="utf-8")
    for korean in NOTICES:
        assert f'gettext("{korean}")' in js
    assert 'typeof window.gettext === "function"' in js


@pytest.mark.django_db
def test_the_form_loads_the_catalogue_before_the_script(client_as, volunteer1):
    html = client_as(volunteer1).get(reverse("volunteer_refer")).content.decode()
    catalogue = f'<script src="{reverse("javascript-catalog")}" defer></script>'
    assert catalogue in html
    assert html.index(catalogue) < html.index("js/referral-offline")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "the CSP forbids inline scripts"


@pytest.mark.django_db
def test_the_english_catalogue_translates_the_notices(client):
    client.cookies["django_language"] = "en"
    js = client.get(reverse("javascript-catalog")).content.decode("utf-8")
    for english in NOTICES.values():
        assert json.dumps(english)[1:-1] in js  # the catalogue is JSON (… as \\u2026)


def test_every_js_string_has_an_english_translation():
    po = JS_PO.read_text(encoding="utf-8")
    assert "#, fuzzy" not in po
    blocks = [b for b in po.split("\n\n")
              if "msgid" in b and 'msgid ""\nmsgstr ""\n"Project' not in b]
    assert len(blocks) >= len(NOTICES)
    for block in blocks:
        msgstr = "".join(re.findall(r'"(.*)"', block.split("msgstr", 1)[1]))
        assert msgstr, block
