"""Write one benchmark's results into its own section of docs/benchmarks.md.

Each benchmark owns the text between ``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->``,
so benchmarks run separately never overwrite each other's figures.
"""
from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
HEADER = """# Benchmarks

Measured on the development machine (2 cores, 24 GiB) with `bash bench/run`, which
generates the national dataset, starts the server on loopback and runs every benchmark.
Each section says how to reproduce its figures alone. Performance is measured here, not
asserted in timed tests.
"""


def write_section(name: str, markdown: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else HEADER
    block = f"<!-- bench:{name} -->\n{markdown.strip()}\n<!-- /bench:{name} -->"
    pattern = re.compile(rf"<!-- bench:{re.escape(name)} -->.*?<!-- /bench:{re.escape(name)} -->", re.S)
    text = pattern.sub(lambda _m: block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block + "\n"
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text, encoding="utf-8")
