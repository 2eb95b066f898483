"""Fill the UI catalogs' new entries from tab-separated translation files, then compile.

Usage (from the project root): .venv/bin/python tools/i18n_fill.py FILE.tsv [FILE.tsv ...]

Each line of a TSV file is ``msgid<TAB>zh-Hans<TAB>zh-Hant``; ``\\n`` and ``\\t`` in a field stand
for a newline and a tab. The script runs ``makemessages`` for zh_Hans, zh_Hant and en, fills every
untranslated entry it has a line for (English takes the msgid itself), runs ``makemessages`` again
so the files are wrapped as Django writes them, compiles, and lists the entries still untranslated
(``tests/test_i18n.py`` fails on those).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "kefu"
KEFU = str(ROOT / ".venv" / "bin" / "kefu")
LANGS = ("zh_Hans", "zh_Hant", "en")


def _field(text: str) -> str:
    return text.replace("\\n", "\n").replace("\\t", "\t")


def load(paths: list[str]) -> dict[str, tuple[str, str]]:
    table: dict[str, tuple[str, str]] = {}
    for path in paths:
        for lineno, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 3:
                sys.exit(f"{path}:{lineno}: expected msgid<TAB>zh-Hans<TAB>zh-Hant, got {len(parts)} fields")
            table[_field(parts[0])] = (_field(parts[1]), _field(parts[2]))
    return table


def makemessages() -> None:
    args = [KEFU, "makemessages", "--no-obsolete", "--no-location", "-i", "demo/*"]
    for lang in LANGS:
        args += ["-l", lang]
    subprocess.run(args, cwd=SRC, check=True, stdout=subprocess.DEVNULL)  # noqa: S603


def fill(table: dict[str, tuple[str, str]]) -> list[tuple[str, str]]:
    missing = []
    for lang in LANGS:
        path = SRC / "locale" / lang / "LC_MESSAGES" / "django.po"
        po = polib.pofile(str(path), wrapwidth=79)
        for entry in po:
            if entry.obsolete or not entry.msgid:
                continue
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
                entry.previous_msgid = entry.previous_msgctxt = None
                entry.msgstr = ""
            done = all(entry.msgstr_plural.values()) if entry.msgid_plural else bool(entry.msgstr)
            if done:
                continue
            if lang == "en":
                if entry.msgid_plural:
                    entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
                else:
                    entry.msgstr = entry.msgid
                continue
            found = table.get(entry.msgid)
            if not found:
                missing.append((lang, entry.msgid))
                continue
            text = found[0] if lang == "zh_Hans" else found[1]
            if entry.msgid_plural:
                entry.msgstr_plural = {0: text}
            else:
                entry.msgstr = text
        po.save(str(path))
    return missing


def main() -> None:
    table = load(sys.argv[1:])
    makemessages()
    missing = fill(table)
    makemessages()
    subprocess.run([KEFU, "compilemessages"], cwd=SRC, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    for lang, msgid in missing:
        print(f"untranslated in {lang}: {msgid!r}")  # noqa: T201
    print(f"{len(table)} lines read, {len(missing)} entries still untranslated")  # noqa: T201


if __name__ == "__main__":
    main()
