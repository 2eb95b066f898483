"""The UI catalogs: zh-Hans (the default), zh-Hant and English are complete, never fuzzy, and
compiled — the committed django.mo says exactly what its django.po says."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.utils import translation
from django.utils.translation import gettext

import kefu

SRC = Path(kefu.__file__).resolve().parent
LOCALE_DIR = SRC / "locale"
LANGUAGES = ("zh_Hans", "zh_Hant", "en")
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sd]")

Key = tuple[str | None, str, str | None]


def _po(lang: str) -> polib.POFile:
    return polib.pofile(str(LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"))


def _mo(lang: str) -> polib.MOFile:
    return polib.mofile(str(LOCALE_DIR / lang / "LC_MESSAGES" / "django.mo"))


def _entries(catalog: polib.POFile | polib.MOFile) -> list[polib.POEntry | polib.MOEntry]:
    return [e for e in catalog if not getattr(e, "obsolete", False) and e.msgid != ""]


def _forms(entry: polib.POEntry | polib.MOEntry) -> tuple[str, ...]:
    if entry.msgid_plural:
        return tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural, key=int))
    return (entry.msgstr,)


def _translations(catalog: polib.POFile | polib.MOFile) -> dict[Key, tuple[str, ...]]:
    return {(e.msgctxt, e.msgid, e.msgid_plural or None): _forms(e) for e in _entries(catalog)}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(lang):
    # Given the language's catalog,
    po = _po(lang)
    entries = _entries(po)
    # when its entries are checked,
    untranslated = [e.msgid for e in entries if not all(_forms(e)) or (e.msgid_plural and not e.msgstr_plural)]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    # then there are some, every one (all plural forms) has a translation, and none is fuzzy.
    assert len(entries) > 100
    assert untranslated == []
    assert fuzzy == []
    assert not po.metadata_is_fuzzy


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_their_placeholders(lang):
    # Given every entry of the catalog,
    entries = _entries(_po(lang))

    # when the %(name)s placeholders of source and translation are compared,
    def placeholders(text: str) -> list[str]:
        return sorted(PLACEHOLDER.findall(text))

    broken = [
        (e.msgid, form)
        for e in entries
        for form in _forms(e)
        if placeholders(form) not in (placeholders(e.msgid), placeholders(e.msgid_plural or e.msgid))
    ]
    # then each translation uses exactly the placeholders of its source (singular or plural).
    assert broken == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalog_matches_its_source(lang):
    # Given the committed django.po and django.mo of the language,
    po, mo = _translations(_po(lang)), _translations(_mo(lang))
    # when their msgid → msgstr tables are compared,
    missing = sorted(k[1] for k in po.keys() - mo.keys())
    extra = sorted(k[1] for k in mo.keys() - po.keys())
    changed = sorted(k[1] for k in po.keys() & mo.keys() if po[k] != mo[k])
    # then they are identical (run `make messages` after editing a .po).
    assert missing == []
    assert extra == []
    assert changed == []


def test_english_catalog_is_explicit():
    # Given the English catalog,
    entries = _entries(_po("en"))
    # when each translation is compared with its source,
    differing = [e.msgid for e in entries if _forms(e) != ((e.msgid, e.msgid_plural) if e.msgid_plural else (e.msgid,))]
    # then English says exactly what the source says.
    assert differing == []


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hans", "收件箱"), ("zh-hant", "收件匣"), ("en", "Inbox")],
)
def test_gettext_uses_the_compiled_catalogs(language, expected):
    # Given the active language,
    with translation.override(language):
        # when the UI asks for a string,
        text = gettext("Inbox")
    # then it comes from that language's catalog.
    assert text == expected


def test_simplified_and_traditional_differ():
    # Given the two Chinese catalogs,
    with translation.override("zh-hans"):
        hans = gettext("Tickets"), gettext("Customers")
    with translation.override("zh-hant"):
        hant = gettext("Tickets"), gettext("Customers")
    # when a few core terms are looked up, then each language has its own script.
    assert hans == ("工单", "客户")
    assert hant == ("工單", "客戶")


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
def test_catalogs_hold_every_translatable_string_of_the_source(tmp_path):
    # Given a copy of the source, when makemessages extracts its strings afresh,
    copy = tmp_path / "kefu"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__", "demo"))
    subprocess.run(
        [str(Path(sys.executable).parent / "kefu"), "makemessages", "-l", "zh_Hans", "--no-obsolete", "--no-location"],
        cwd=copy,
        check=True,
        capture_output=True,
        timeout=300,
    )
    fresh = {e.msgid for e in polib.pofile(str(copy / "locale/zh_Hans/LC_MESSAGES/django.po"))}
    committed = {e.msgid for e in polib.pofile(str(SRC / "locale/zh_Hans/LC_MESSAGES/django.po"))}
    # then the committed catalogs already have every one of them (run `make messages` and translate).
    assert fresh - committed == set()
