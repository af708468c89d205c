"""Every page of every role, found by following links (not listed here, so pages added later
are crawled too): in English no Korean is left outside people's names and addresses; in
Korean no raw code (service_link, export:inbox, a field name such as dong) is shown."""

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from households.models import Dong, Household, Membership, Organization, Person, mask_name
from outreach.signal_files import COLUMNS
from referrals.models import Referral, Service

ROLES = ["admin", "staff1", "staff2", "manager1", "lead1", "volunteer1", "partner1", "auditor1",
         None]
START = ["/", "/report/", "/report/status/"]
# Not followed: leaving, files, the API and its docs, raw media and static files.
SKIP = re.compile(r"logout|/export|download|\.(csv|xlsx|pdf|png|svg)$|^/(media|static|api)/"
                  r"|/i18n/|/jsi18n/|^/admin/.*/(password|delete)/?$")
# Pages of one shape (the path with its ids as N; the query aside) are visited this many
# times at most: every kind of page is seen without walking every record or filter.
PER_SHAPE = 4
MAX_PAGES = 250
HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]+")
VISIBLE_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")


class _Page(HTMLParser):
    """The visible text (text nodes and the attributes people read) and the links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style", "template"):
            self._hidden += 1
        if tag == "a" and attrs.get("href") and "download" not in attrs:
            self.links.append(attrs["href"])
        for name in VISIBLE_ATTRIBUTES:
            if attrs.get(name):
                self.texts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.texts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.texts.append(data.strip())


def _shape(url: str) -> str:
    return re.sub(r"\d+", "N", urlsplit(url).path)


def crawl(client, starts=START):
    """Breadth-first over same-site links (GET only); {url: visible texts}."""
    queue, seen, shapes, pages = deque(starts), set(starts), {}, {}
    while queue and len(pages) < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code in (301, 302, 303, 307, 308):
            found = [response["Location"]]
        elif "text/html" not in response.get("Content-Type", ""):
            continue
        else:
            assert response.status_code < 500, url
            page = _Page()
            page.feed(response.content.decode())
            pages[url] = page.texts
            found = page.links
        for href in found:
            target = urldefrag(urljoin(url, href))[0]
            parts = urlsplit(target)
            if parts.netloc not in ("", "testserver") or parts.scheme not in ("", "http"):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target in seen or SKIP.search(parts.path) or "lang=" in parts.query:
                continue
            seen.add(target)
            shape = _shape(target)
            if shapes.get(shape, 0) >= PER_SHAPE:
                continue
            shapes[shape] = shapes.get(shape, 0) + 1
            queue.append(target)
    return pages


def _as(client, username):
    if username:
        client.force_login(get_user_model().objects.get(username=username))
    return client


def _proper_names() -> list[str]:
    """People's names (whole and masked), addresses and the names of places, agencies and
    catalogue entries: data, not interface, shown as they were written."""
    names = set()
    for name in Person.objects.values_list("name", flat=True):
        names |= {name, mask_name(name), name[:1]}
    for road, detail in Household.objects.values_list("road_address", "address_detail"):
        names |= {road, detail, f"{road} {detail}".strip()}
    for road, detail, subject in Referral.objects.values_list(
            "road_address", "address_detail", "subject_name"):
        names |= {road, detail, f"{road} {detail}".strip(), subject, mask_name(subject)}
    for row in Dong.objects.values_list("name", "short_name", "district__name"):
        names |= set(row)
    names |= set(Organization.objects.values_list("name", flat=True))
    names |= set(Membership.objects.values_list("group", flat=True))  # 복지통장 …
    # Django writes permission names once, in the language of the migration run.
    names |= set(Permission.objects.values_list("name", flat=True))
    # The Korean header names an agency file may carry are literal, not translatable.
    names |= {korean for korean, _english in COLUMNS.values()}
    for name, description in Service.objects.values_list("name", "description"):
        names |= {name, description}
    names |= {"도어스텝", "한국어"}  # the brand next to its Latin name; the switch's own name
    return sorted((n for n in names if n and HANGUL.search(n)), key=len, reverse=True)


@pytest.mark.django_db
@pytest.mark.parametrize("username", ROLES, ids=[r or "anonymous" for r in ROLES])
def test_english_pages_hold_no_korean_outside_names_and_addresses(client, every_state,
                                                                  username):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    pages = crawl(_as(client, username))
    assert len(pages) > (1 if username is None else 3), list(pages)
    names = _proper_names()
    leaks = {}
    for url, texts in pages.items():
        for text in texts:
            rest = text
            if rest.endswith("…") and any(n.startswith(rest[:-1]) for n in names):
                continue  # a name cut short to fit a chart label
            for name in names:
                if name in rest:
                    rest = rest.replace(name, " ")
            if HANGUL.search(rest):
                leaks.setdefault(text[:300], url)
    assert not leaks, "\n".join(f"{text!r} on {url}" for text, url in sorted(leaks.items()))


RAW_CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|\b[a-z]+:[a-z_]+(?::\d+)?\b")
# Field names that would be a raw code if shown alone as a label or before a colon.
FIELD_NAMES = {field.name for model in (Household, Person, Referral, Dong)
               for field in model._meta.get_fields()} | {"dong", "kind", "status", "stage"}


def _raw_codes(text: str, usernames: set[str]) -> list[str]:
    found = [m for m in RAW_CODE.findall(text) if m not in usernames]
    label = re.fullmatch(r"\s*([a-z_]+)\s*:?\s*", text) or re.match(r"^([a-z_]+)\s*:", text)
    if label and label[1] in FIELD_NAMES:
        found.append(label[1])
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("username", ROLES, ids=[r or "anonymous" for r in ROLES])
def test_korean_pages_show_no_raw_codes(client, every_state, username):
    pages = crawl(_as(client, username))
    assert len(pages) > (1 if username is None else 3), list(pages)
    usernames = set(get_user_model().objects.values_list("username", flat=True))
    codes = {}
    for url, texts in pages.items():
        for text in texts:
            if found := _raw_codes(text, usernames):
                codes.setdefault(text[:100], (found, url))
    assert not codes, "\n".join(f"{found} in {text!r} on {url}"
                                for text, (found, url) in sorted(codes.items()))


def test_the_raw_code_check_sees_what_it_looks_for():
    usernames = {"admin", "staff1"}
    assert _raw_codes("service_link", usernames) == ["service_link"]
    assert _raw_codes("export:inbox:17", usernames) == ["export:inbox:17"]
    assert _raw_codes("dong: 올바른 항목을 선택하세요.", usernames) == ["dong"]
    assert _raw_codes("admin", usernames) == []
    assert _raw_codes("행정동: 올바른 항목을 선택하세요.", usernames) == []
