"""The English catalogs: complete, consistent with the source and compiled.

Chinese is the source language; ``oneteam/locale/en`` holds the English
translation of every string (``django`` for Python and templates,
``djangojs`` for the scripts). ``make messages`` refreshes them from the code
and ``make install`` compiles them (docs/development.md).
"""

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.urls import reverse

LOCALE = Path(__file__).resolve().parents[2] / "locale"
DOMAINS = ("django", "djangojs")
#: Python's named and positional conversions (``%(n)s``, ``%(x).2f``, ``%s``) and ``%%``: the name and the
#: type must survive translation; flags, width and precision may change (``%(m)d`` → ``%(m)02d``).
PLACEHOLDER = re.compile(r"%(\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?([sdifr%])")
HAN = re.compile(r"[\u4e00-\u9fff]")


def catalog(domain: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / "en" / "LC_MESSAGES" / f"{domain}.po"))


def translations(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_string_is_translated_into_english(domain):
    po = catalog(domain)
    untranslated = [e.msgid for e in po if not e.obsolete and (not all(translations(e)) or "fuzzy" in e.flags)]
    assert not untranslated, f"{len(untranslated)} untranslated: {untranslated[:5]}"
    still_chinese = [e.msgid for e in po if not e.obsolete and any(HAN.search(t) for t in translations(e))]
    assert not still_chinese, still_chinese[:5]


@pytest.mark.parametrize("domain", DOMAINS)
def test_placeholders_survive_translation(domain):
    wrong = []
    for entry in catalog(domain):
        want = sorted(PLACEHOLDER.findall(entry.msgid))
        for text in translations(entry):
            if sorted(PLACEHOLDER.findall(text)) != want:
                wrong.append((entry.msgid, text))
    assert not wrong, wrong[:5]


@pytest.mark.parametrize("domain", DOMAINS)
def test_compiled_catalog_matches_its_source(domain):
    """The ``.mo`` Django reads is the compiled ``.po`` (``make install`` builds it)."""
    mo = polib.mofile(str(LOCALE / "en" / "LC_MESSAGES" / f"{domain}.mo"))
    compiled = {(e.msgid, e.msgid_plural): translations(e) for e in mo if e.msgid}
    source = {(e.msgid, e.msgid_plural): translations(e) for e in catalog(domain) if not e.obsolete}
    assert compiled == source


def test_catalogs_compile_without_gettext_and_only_when_changed(tmp_path):
    from oneteam.core.compile_catalogs import compile_catalogs

    po_dir = tmp_path / "en" / "LC_MESSAGES"
    po_dir.mkdir(parents=True)
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Plural-Forms": "nplurals=2; plural=(n != 1);"}
    po.append(polib.POEntry(msgid="在办", msgstr="Open"))
    po.save(str(po_dir / "django.po"))
    assert compile_catalogs(tmp_path) == [po_dir / "django.mo"]
    assert {e.msgid: e.msgstr for e in polib.mofile(str(po_dir / "django.mo"))}["在办"] == "Open"
    assert compile_catalogs(tmp_path) == []  # unchanged: nothing written


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) not installed")
@pytest.mark.parametrize("domain", DOMAINS)
def test_catalog_covers_every_marked_string(domain, settings, tmp_path):
    """A string marked for translation in the code but missing from the
    catalog would show in Chinese to English users."""
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    (tmp_path / "locale").mkdir()
    call_command("makemessages", locale=["en"], domain=domain, verbosity=0, no_location=True,
                 ignore_patterns=[".venv", "node_modules", "var", "benchmarks", "oneteam/locale"])
    marked = {(e.msgid, e.msgid_plural) for e in polib.pofile(str(tmp_path / "locale/en/LC_MESSAGES" / f"{domain}.po"))
              if e.msgid}
    have = {(e.msgid, e.msgid_plural) for e in catalog(domain) if not e.obsolete}
    missing = sorted(marked - have)
    assert not missing, f"run `make messages` and translate: {missing[:5]}"


def test_pages_and_errors_speak_english_when_chosen(client, cast):
    client.force_login(cast.dispatcher)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("command:room")).content.decode()
    assert "Log out" in page and "退出" not in page
    # A refusal from a service (the same text the API returns) is English too.
    from django.utils import translation

    from oneteam.command.services import Intake, report_event
    from oneteam.core.errors import InvalidInput

    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        report_event(Intake(channel="grid_patrol", category="", description="x" * 5001), actor=cast.grid_officer)
    assert not HAN.search(str(refused.value)), str(refused.value)


def test_script_catalog_serves_the_scripts_strings(client):
    body = client.get(reverse("javascript-catalog"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '"\\u5728\\u529e": "Open"' in body or '"在办": "Open"' in body
    zh = client.get(reverse("javascript-catalog"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "Open" not in zh
