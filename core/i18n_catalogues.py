"""Keep the Babel catalogues in step with the source.

``python -m core.i18n_catalogues update`` extracts every translatable string from a
source tree and updates its ``nb`` and ``en`` catalogues (English entries are filled with
the source text, which is English). ``check`` reports what is missing or stale; the test
suite runs the same check, so a string without a translation fails CI.
``translate nb FILE.json`` sets Bokmål translations from a ``{msgid: msgstr}`` file
(a plural's value is a list of two strings; a key ``"context\\u0004msgid"`` sets only the
message with that ``pgettext`` context, and a plain key fills such a message only while
it has no translation). The translations go to every catalogue tree
that holds the message, so the test plugin in ``tests/`` is covered by the same file.

Several people run these commands at the same time in one working tree: every
read-change-write of the catalogues happens under one lock file, and each catalogue is
replaced atomically, so nobody's strings or translations are lost to a concurrent run.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import os
import sys
import tempfile
import threading
from collections.abc import Iterator
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


_lock_state = threading.local()


@contextlib.contextmanager
def _locked() -> Iterator[None]:
    """Serialize catalogue writers of this working tree (re-entrant within a process)."""
    if getattr(_lock_state, "held", False):
        yield
        return
    digest = hashlib.sha1(str(ROOT).encode()).hexdigest()[:12]
    lock_path = Path(tempfile.gettempdir()) / f"lavterskel-catalogues-{digest}.lock"
    with lock_path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        _lock_state.held = True
        try:
            yield
        finally:
            _lock_state.held = False
            fcntl.flock(fh, fcntl.LOCK_UN)


def _write(path: Path, cat: Catalog) -> None:
    buf = io.BytesIO()
    write_po(buf, cat, omit_header=False, no_location=True, sort_output=True, width=100)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".messages-", suffix=".po.tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(buf.getvalue())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


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
    with _locked():
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
                _write(path, cat)


def translate(locale: str, mapping: dict[str, str | list[str]], locale_dirs: list[Path] | None = None) -> int:
    """Set translations for msgids (a plural msgid maps to a list). Returns how many were set.

    ``locale_dirs`` defaults to every catalogue tree; a message is set wherever it occurs.
    Update, read, change and write happen under the lock, so people adding strings or
    translations at the same time lose nothing to each other.
    """
    dirs = locale_dirs if locale_dirs is not None else [d for _s, d in TREES]
    done = 0
    with _locked():
        update()
        for locale_dir in dirs:
            path = _po_path(locale_dir, locale)
            cat = _read(path, locale)
            for msg in cat:
                if not msg.id:
                    continue
                key = msg.id if isinstance(msg.id, str) else msg.id[0]
                if msg.context:
                    # A plain key fills a context's message only while it is untranslated:
                    # an explicit "context\u0004msgid" translation is never overwritten.
                    value = mapping.get(f"{msg.context}\u0004{key}")
                    if value is None and not _is_translated(msg):
                        value = mapping.get(key)
                else:
                    value = mapping.get(key)
                if value is None:
                    continue
                msg.string = tuple(value) if isinstance(value, list) else value
                msg.flags.discard("fuzzy")
                done += 1
            _write(path, cat)
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
