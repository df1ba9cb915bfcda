"""The draw itself: a pure function of the entrants, their rights, the capacity and a seed.

Nothing here touches the database, the clock or a random generator, so any past draw can
be recomputed from what was stored, and a person with a SHA-256 tool can check it by hand
(see ``docs/lottery.md``).

Version ``dagsverk-lottery/1``:

1. Every entrant gets a *ticket*: the SHA-256 of ``"<seed>:<participant id>"`` in hex.
2. Entrants are put into groups: 0 = a right carried over from a day when rights alone
   exceeded the places, 1 = a first-day or third-day right, 2 = everyone else.
3. The order is by group, then by ticket (ascending, as text), then by participant id.
4. The first ``capacity`` in that order get work: ``right`` for groups 0 and 1,
   ``lottery`` for group 2. Everyone after them gets a reserve number 1, 2, 3... in order.

Sorting by a hash of the seed and the id gives every ordering of a group the same chance
(as far as SHA-256 is indistinguishable from random), and the seed is fixed and its
fingerprint published before anyone knows who came.
"""
from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable, Sequence
from typing import NamedTuple

ALGORITHM = "dagsverk-lottery/1"
GROUPS = {"carried_over": 0, "first_day": 1, "third_day": 1, "none": 2}


class Entrant(NamedTuple):
    participant_id: int
    right: str = "none"
    """``none``, ``first_day``, ``third_day`` or ``carried_over``."""


class Placement(NamedTuple):
    participant_id: int
    right: str
    result: str
    """``right``, ``lottery`` (got work) or ``reserve``."""
    position: int
    reserve_number: int | None
    ticket: str

    @property
    def drawn(self) -> bool:
        return self.result != "reserve"


def new_seed() -> str:
    """256 bits from the operating system's cryptographic source, as hex."""
    return secrets.token_hex(32)


def fingerprint(seed: str) -> str:
    """What the big screen shows before the draw: SHA-256 of the seed text."""
    return hashlib.sha256(seed.encode("ascii")).hexdigest()


def ticket(seed: str, participant_id: int) -> str:
    return hashlib.sha256(f"{seed}:{participant_id}".encode("ascii")).hexdigest()


_JSON_RIGHTS = {right: json.dumps(right) for right in GROUPS}


def entrants_digest(entrants: Iterable[Entrant], capacity: int, algorithm: str = ALGORITHM) -> str:
    """A fingerprint of everything the draw depends on except the seed. Stored at sealing,
    so changing, adding or removing an entrant afterwards makes verification fail.

    The text hashed is ``json.dumps`` of ``{"algorithm", "capacity", "entrants": [[id, right], ...]}``
    without spaces, entrants sorted. It is written out here for the usual case (whole-number ids,
    known rights), which gives the same bytes as ``json.dumps`` ten times faster; anything else
    goes through ``json.dumps`` itself."""
    pairs = sorted((e.participant_id, e.right) for e in entrants)
    if all(type(pid) is int and right in _JSON_RIGHTS for pid, right in pairs):
        head = json.dumps({"algorithm": algorithm, "capacity": capacity, "entrants": []}, separators=(",", ":"))
        rights = _JSON_RIGHTS
        text = head[:-2] + ",".join([f"[{pid},{rights[right]}]" for pid, right in pairs]) + "]}"
    else:
        canonical = {"algorithm": algorithm, "capacity": capacity, "entrants": [list(p) for p in pairs]}
        text = json.dumps(canonical, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def run_draw(entrants: Sequence[Entrant], capacity: int, seed: str, algorithm: str = ALGORITHM) -> list[Placement]:
    """The placements in draw order: those who get work first, then the reserve list.

    The same as sorting every entrant by ``(group, ticket(seed, id), id)``, written for
    10,000 entrants: the seed's part of each hash is computed once, and each group is
    sorted on its own."""
    if algorithm != ALGORITHM:
        raise ValueError(f"unknown draw algorithm {algorithm!r}")
    if capacity < 0:
        raise ValueError("capacity must not be negative")
    if len({e.participant_id for e in entrants}) != len(entrants):
        raise ValueError("an entrant appears twice")
    by_group: tuple[list[tuple[str, int, str]], ...] = ([], [], [])
    add = [group.append for group in by_group]
    prefix = hashlib.sha256(f"{seed}:".encode("ascii")).copy
    for e in entrants:
        pid, right = e.participant_id, e.right
        group = GROUPS.get(right)
        if group is None:
            raise ValueError(f"unknown right {right!r}")
        h = prefix()
        h.update(f"{pid}".encode("ascii"))
        add[group]((h.hexdigest(), pid, right))
    out: list[Placement] = []
    make = tuple.__new__  # a NamedTuple without its Python-level __new__: a third of the time
    position = 0
    for group, members in enumerate(by_group):
        members.sort()
        got = "right" if group < 2 else "lottery"
        for tck, pid, right in members:
            position += 1
            if position <= capacity:
                out.append(make(Placement, (pid, right, got, position, None, tck)))
            else:
                out.append(make(Placement, (pid, right, "reserve", position, position - capacity, tck)))
    return out
