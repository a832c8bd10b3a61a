"""The Chinese catalogue is complete, keeps every placeholder, and the committed .mo matches the .po.

Compiled catalogues are committed so a fresh machine needs no gettext tools;
this test fails when someone edits a .po and forgets to compile it.
"""

import re
from pathlib import Path

import polib
import pytest
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "campaign" / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")


@pytest.fixture(scope="module")
def zh():
    return polib.pofile(str(LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"))


def test_every_string_has_a_chinese_translation(zh):
    untranslated = [e.msgid for e in zh if not e.translated() or "fuzzy" in e.flags]
    assert untranslated == []


def test_translations_keep_every_placeholder(zh):
    broken = []
    for entry in zh.translated_entries():
        target = entry.msgstr or entry.msgstr_plural.get(0, "")
        if sorted(PLACEHOLDER.findall(entry.msgid)) != sorted(PLACEHOLDER.findall(target)):
            broken.append(entry.msgid)
    assert broken == []


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_committed_mo_files_match_their_po_files(language):
    folder = LOCALE / language / "LC_MESSAGES"
    po = polib.pofile(str(folder / "django.po"))
    mo = polib.mofile(str(folder / "django.mo"))
    as_dict = {(e.msgctxt, e.msgid): (e.msgstr, dict(e.msgstr_plural)) for e in po.translated_entries()}
    mo_dict = {(e.msgctxt, e.msgid): (e.msgstr, dict(e.msgstr_plural)) for e in mo}
    mo_dict.pop((None, ""), None)
    assert mo_dict == as_dict


def test_the_interface_speaks_chinese_first_and_english_second():
    with translation.override("zh-hans"):
        assert translation.gettext("Sign in") == "登录"
    with translation.override("en"):
        assert translation.gettext("Sign in") == "Sign in"
