#!/usr/bin/env python3
"""Recompute a Dagsverket draw from its published transcript, without the app.

    python3 check_draw.py transcript.json        (or - for standard input)

Needs only Python 3.9 or later: no package, nothing from Lavterskel. Download the
transcript from the public check page (``Download the transcript``), then run this file.
It checks that

1. the seed gives the seed fingerprint published when check-in closed,
2. the entrants, their rights, the places and the beacon round give the entrants'
   fingerprint published then,
3. the final seed is SHA-256 of ``seed:entrants fingerprint:contribution:beacon``,
4. sorting the entrants by group and ticket gives the published results,

prints the recomputed order, and exits with status 0 when everything matches, 1 when
anything does not, and 2 when the file cannot be read as a transcript. docs/lottery.md
explains every step. It cannot check that the beacon value is the one drand published for
the round: look it up at https://api.drand.sh/<beacon_chain>/public/<beacon_round>.
"""
from __future__ import annotations

import hashlib
import json
import sys

GROUPS = {"carried_over": 0, "first_day": 1, "third_day": 1, "none": 2}
V1 = "dagsverk-lottery/1"
V2 = "dagsverk-lottery/2"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def entrants_digest(t: dict) -> str:
    pairs = sorted([key, right] for key, right in t["entrants"])
    if t["algorithm"] == V1:
        canonical = {"algorithm": V1, "capacity": t["capacity"], "entrants": pairs}
    else:
        canonical = {"algorithm": V2, "beacon_round": t.get("beacon_round"), "capacity": t["capacity"], "entrants": pairs}
    return sha256(json.dumps(canonical, separators=(",", ":")))


def final_seed(t: dict) -> str:
    if t["algorithm"] == V1:
        return t["seed"]
    return sha256(f"{t['seed']}:{t['entrants_sha256']}:{t.get('contribution') or ''}:{t.get('beacon_value') or '-'}")


def draw(t: dict, seed: str) -> list[list]:
    """``[key, result, place, reserve number, ticket]`` in draw order."""
    keyed = sorted((GROUPS[right], sha256(f"{seed}:{key}"), key, right) for key, right in t["entrants"])
    out = []
    for place, (group, ticket, key, _right) in enumerate(keyed, start=1):
        if place <= t["capacity"]:
            out.append([key, "right" if group < 2 else "lottery", place, None, ticket])
        else:
            out.append([key, "reserve", place, place - t["capacity"], ticket])
    return out


def check(t: dict) -> tuple[list[str], list[list]]:
    problems = []
    if t["algorithm"] not in (V1, V2):
        return [f"unknown algorithm {t['algorithm']!r}"], []
    if not t.get("seed"):
        return ["the draw has not been run: the seed is still secret"], []
    if sha256(t["seed"]) != t["seed_sha256"]:
        problems.append("the seed does not give the seed fingerprint published when check-in closed")
    if entrants_digest(t) != t["entrants_sha256"]:
        problems.append("the entrants, rights, places or beacon round do not give the entrants' fingerprint published when check-in closed")
    seed = final_seed(t)
    if t["algorithm"] == V2 and t.get("final_seed") and t["final_seed"] != seed:
        problems.append("the published final seed is not SHA-256 of seed:entrants fingerprint:contribution:beacon")
    keys = [key for key, _right in t["entrants"]]
    if len(set(keys)) != len(keys):
        problems.append("an entrant appears twice")
    order = draw(t, seed)
    published = {r[0]: (r[1], r[2], r[3]) for r in t.get("results") or []}
    if set(published) != set(keys):
        problems.append("the published results are not of the same entrants")
    differing = [r for r in order if published.get(r[0]) != (r[1], r[2], r[3])]
    if differing:
        problems.append(f"{len(differing)} entrants have a published result that differs from the recomputed one")
    return problems, order


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    try:
        if argv[1] == "-":
            t = json.load(sys.stdin)
        else:
            with open(argv[1], encoding="utf-8") as f:
                t = json.load(f)
        problems, order = check(t)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"not a draw transcript: {exc!r}", file=sys.stderr)
        return 2
    print(f"{t['algorithm']} · {t.get('date', '')} · {t['capacity']} places · {len(t['entrants'])} entrants")
    print(f"final seed {final_seed(t) if t.get('seed') else '-'}")
    for key, result, place, reserve, ticket in order:
        shown = f"reserve {reserve}" if result == "reserve" else f"work ({result})"
        print(f"{place:>5}  {key:<8} {shown:<16} {ticket}")
    if problems:
        for p in problems:
            print(f"MISMATCH: {p}")
        return 1
    print("OK: the draw recomputes to the published result")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
