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
from dataclasses import dataclass

ALGORITHM = "dagsverk-lottery/1"
GROUPS = {"carried_over": 0, "first_day": 1, "third_day": 1, "none": 2}


@dataclass(frozen=True)
class Entrant:
    participant_id: int
    right: str = "none"
    """``none``, ``first_day``, ``third_day`` or ``carried_over``."""


@dataclass(frozen=True)
class Placement:
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


def entrants_digest(entrants: Iterable[Entrant], capacity: int, algorithm: str = ALGORITHM) -> str:
    """A fingerprint of everything the draw depends on except the seed. Stored at sealing,
    so changing, adding or removing an entrant afterwards makes verification fail."""
    canonical = {
        "algorithm": algorithm,
        "capacity": capacity,
        "entrants": sorted([e.participant_id, e.right] for e in entrants),
    }
    return hashlib.sha256(json.dumps(canonical, separators=(",", ":")).encode("ascii")).hexdigest()


def run_draw(entrants: Sequence[Entrant], capacity: int, seed: str, algorithm: str = ALGORITHM) -> list[Placement]:
    """The placements in draw order: those who get work first, then the reserve list."""
    if algorithm != ALGORITHM:
        raise ValueError(f"unknown draw algorithm {algorithm!r}")
    if capacity < 0:
        raise ValueError("capacity must not be negative")
    ids = [e.participant_id for e in entrants]
    if len(set(ids)) != len(ids):
        raise ValueError("an entrant appears twice")
    for e in entrants:
        if e.right not in GROUPS:
            raise ValueError(f"unknown right {e.right!r}")
    keyed = sorted(((GROUPS[e.right], ticket(seed, e.participant_id), e.participant_id, e) for e in entrants))
    out: list[Placement] = []
    reserve = 0
    for position, (group, tck, _pid, e) in enumerate(keyed, start=1):
        if position <= capacity:
            out.append(Placement(e.participant_id, e.right, "right" if group < 2 else "lottery", position, None, tck))
        else:
            reserve += 1
            out.append(Placement(e.participant_id, e.right, "reserve", position, reserve, tck))
    return out
