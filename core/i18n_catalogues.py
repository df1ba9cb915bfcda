"""Keep the Babel catalogues in step with the source.

``python -m core.i18n_catalogues update`` extracts every translatable string from a
source tree and updates its ``nb`` and ``en`` catalogues (English entries are filled with
the source text, which is English). ``check`` reports what is missing or stale; the test
suite runs the same check, so a string without a translation fails CI.
``translate nb FILE.json`` sets Bokmål translations from a ``{msgid: msgstr}`` file
(a plural's value is a list of two strings).
"""
from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ("nb", "en")
KEYWORDS = {
    "_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "npgettext": ((1, "c"), 2, 3),
    "lazy_gettext": None, "lazy_pgettext": ((1, "c"), 2), "L": None, "P": ((1, "c"), 2),
}
METHOD_MAP = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
# (source directories, catalogue directory). Built-in plugins share the root catalogues.
TREES = [
    ([ROOT / "core", ROOT / "plugins"], ROOT / "locales"),
    ([ROOT / "tests" / "plugin_rolling_list"], ROOT / "tests" / "plugin_rolling_list" / "locales"),
]


def extract(sources: list[Path]) -> Catalog:
    catalog = Catalog(project="lavterskel", charset="utf-8")
    for src in sources:
        for _fn, _lineno, message, comments, context in extract_from_dir(
            str(src), method_map=METHOD_MAP, options_map=OPTIONS, keywords=KEYWORDS, comment_tags=("i18n:",), strip_comment_tags=True
        ):
            if (message[0] if isinstance(message, tuple) else message) == "":
                continue
            catalog.add(message, None, auto_comments=comments, context=context)
    return catalog


def _po_path(locale_dir: Path, locale: str) -> Path:
    return locale_dir / locale / "LC_MESSAGES" / "messages.po"


def _read(path: Path, locale: str) -> Catalog:
    if not path.exists():
        return Catalog(locale=locale, project="lavterskel", charset="utf-8")
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def _is_translated(msg: object) -> bool:
    s = msg.string  # type: ignore[attr-defined]
    return bool(all(s) if isinstance(s, (tuple, list)) else s) and not msg.fuzzy  # type: ignore[attr-defined]


def problems() -> list[str]:
    """Every message in the source must be translated in both catalogues; none extra."""
    out: list[str] = []
    for sources, locale_dir in TREES:
        template = extract(sources)
        wanted = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in template if m.id}
        for locale in LOCALES:
            cat = _read(_po_path(locale_dir, locale), locale)
            have = {(m.id if isinstance(m.id, str) else m.id[0], m.context): m for m in cat if m.id}
            rel = _po_path(locale_dir, locale).relative_to(ROOT)
            for key in sorted(wanted - set(have), key=str):
                out.append(f"{rel}: missing {key[0]!r}" + (f" (context {key[1]!r})" if key[1] else ""))
            for key in sorted(set(have) - wanted, key=str):
                out.append(f"{rel}: stale {key[0]!r} (no longer in the source)")
            for key in sorted(wanted & set(have), key=str):
                if not _is_translated(have[key]):
                    out.append(f"{rel}: untranslated {key[0]!r}")
    return out


def update() -> None:
    for sources, locale_dir in TREES:
        template = extract(sources)
        for locale in LOCALES:
            path = _po_path(locale_dir, locale)
            cat = _read(path, locale)
            cat.update(template, no_fuzzy_matching=True)
            cat.obsolete.clear()
            if locale == "en":
                for msg in cat:
                    if msg.id and not _is_translated(msg):
                        msg.string = msg.id
                        msg.flags.discard("fuzzy")
            path.parent.mkdir(parents=True, exist_ok=True)
            buf = io.BytesIO()
            write_po(buf, cat, omit_header=False, no_location=True, sort_output=True, width=100)
            path.write_bytes(buf.getvalue())


def translate(locale: str, mapping: dict[str, str], locale_dir: Path = ROOT / "locales") -> int:
    """Set translations for msgids (a plural msgid maps to a list). Returns how many were set.

    Reads, changes and writes the file at once, so several people adding strings at the
    same time lose nothing to each other's edits.
    """
    update()
    path = _po_path(locale_dir, locale)
    cat = _read(path, locale)
    done = 0
    for msg in cat:
        key = msg.id if isinstance(msg.id, str) else msg.id[0]
        if key in mapping:
            value = mapping[key]
            msg.string = tuple(value) if isinstance(value, list) else value
            msg.flags.discard("fuzzy")
            done += 1
    buf = io.BytesIO()
    write_po(buf, cat, omit_header=False, no_location=True, sort_output=True, width=100)
    path.write_bytes(buf.getvalue())
    return done


def main(argv: list[str]) -> int:
    if argv[:1] == ["update"]:
        update()
    if argv[:1] == ["translate"] and len(argv) == 3:
        import json

        n = translate(argv[1], json.loads(Path(argv[2]).read_text(encoding="utf-8")))
        print(f"set {n} translation(s)")
    found = problems()
    for line in found:
        print(line)
    print(f"{len(found)} problem(s)")
    return 1 if found and argv[:1] == ["check"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
