"""The draw itself: a pure function of the entrants, their rights, the capacity and a seed.

Two versions are in use; a draw stores its version and is recomputed by it for ever.

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

Version ``dagsverk-lottery/2`` (docs/lottery.md gives the exact texts):

1. At sealing, the entrants are fixed by their *receipt codes* (given at check-in), and
   the SHA-256 of the server's seed and of the entrants (with the capacity and the
   beacon round named for the draw) are published.
2. At the draw, a public contribution that did not exist at sealing is mixed in: the
   numbers typed in front of everyone (sorted, RFC 3797 style) and, where the network
   allowed, the randomness of the named drand round. The *final seed* is the SHA-256 of
   ``"<seed>:<entrants digest>:<contribution>:<beacon>"``.
3. Every ticket is the SHA-256 of ``"<final seed>:<receipt code>"``; groups and order as
   in version 1, with the receipt code where version 1 had the participant id.

So neither the server (which cannot know the contribution when it commits to its seed)
nor the room (which cannot know the seed) can steer the result, and the transcript names
no person.
"""
from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

ALGORITHM_V1 = "dagsverk-lottery/1"
ALGORITHM_V2 = "dagsverk-lottery/2"
ALGORITHM = ALGORITHM_V2
"""The version new draws use."""
ALGORITHMS = (ALGORITHM_V1, ALGORITHM_V2)
NO_BEACON = "-"
"""The beacon's part of the final seed's text when no beacon value was mixed in."""
RECEIPT_ALPHABET = "ACDEFHJKMNPRTUVWXY34679"
"""Letters and digits no one confuses when read aloud or off a slip: no 0/O, 1/I/L, 2/Z,
5/S, 8/B, G/6."""
RECEIPT_LENGTH = 5
CONTRIBUTION_MAX = 10
"""At most this many numbers are typed at a draw, each 0-99 (balls of a lottery machine
or dice)."""
GROUPS = {"carried_over": 0, "first_day": 1, "third_day": 1, "none": 2}


class Entrant(NamedTuple):
    participant_id: int
    right: str = "none"
    """``none``, ``first_day``, ``third_day`` or ``carried_over``."""
    receipt_code: str | None = None
    """Version 2: the code the person got at check-in, what their ticket is made from."""


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


def ticket(seed: str, participant_id: int | str) -> str:
    """Version 1: of the seed and the participant id; version 2: of the final seed and the
    receipt code."""
    return hashlib.sha256(f"{seed}:{participant_id}".encode("ascii")).hexdigest()


def new_receipt_code() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))


def is_receipt_code(text: str) -> bool:
    return len(text) == RECEIPT_LENGTH and all(c in RECEIPT_ALPHABET for c in text)


def contribution_text(numbers: Iterable[int]) -> str:
    """The canonical text of the typed numbers, as RFC 3797 writes one source: sorted
    ascending (so the order they came out or were typed in does not matter), each in
    decimal followed by a dot, then a slash: ``[45, 7, 12]`` -> ``"7.12.45./"``. No
    numbers is the empty text."""
    values = sorted(int(n) for n in numbers)
    if not values:
        return ""
    return "".join(f"{n}." for n in values) + "/"


def final_seed(seed: str, entrants_sha256: str, contribution: str, beacon: str | None) -> str:
    """Version 2's seed for the tickets: SHA-256 of
    ``"<seed>:<entrants digest>:<contribution text>:<beacon randomness or ->"``."""
    text = f"{seed}:{entrants_sha256}:{contribution}:{beacon or NO_BEACON}"
    return hashlib.sha256(text.encode("ascii")).hexdigest()


_JSON_RIGHTS = {right: json.dumps(right) for right in GROUPS}


def entrants_digest(entrants: Iterable[Entrant], capacity: int, algorithm: str = ALGORITHM_V1, beacon_round: int | None = None) -> str:
    """A fingerprint of everything the draw depends on except the seed. Stored at sealing,
    so changing, adding or removing an entrant afterwards makes verification fail.

    The text hashed is ``json.dumps`` of ``{"algorithm", "capacity", "entrants": [[id, right], ...]}``
    without spaces, entrants sorted. It is written out here for the usual case (whole-number ids,
    known rights), which gives the same bytes as ``json.dumps`` ten times faster; anything else
    goes through ``json.dumps`` itself.

    Version 2 hashes ``{"algorithm", "beacon_round", "capacity", "entrants": [[receipt code,
    right], ...]}`` the same way, entrants sorted by receipt code."""
    if algorithm == ALGORITHM_V2:
        return _entrants_digest_v2(entrants, capacity, beacon_round)
    pairs = sorted((e.participant_id, e.right) for e in entrants)
    if all(type(pid) is int and right in _JSON_RIGHTS for pid, right in pairs):
        head = json.dumps({"algorithm": algorithm, "capacity": capacity, "entrants": []}, separators=(",", ":"))
        rights = _JSON_RIGHTS
        text = head[:-2] + ",".join([f"[{pid},{rights[right]}]" for pid, right in pairs]) + "]}"
    else:
        canonical = {"algorithm": algorithm, "capacity": capacity, "entrants": [list(p) for p in pairs]}
        text = json.dumps(canonical, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _entrants_digest_v2(entrants: Iterable[Entrant], capacity: int, beacon_round: int | None) -> str:
    pairs = sorted((e.receipt_code, e.right) for e in entrants)
    if all(type(code) is str and code.isalnum() and code.isascii() and right in _JSON_RIGHTS for code, right in pairs):
        head = json.dumps({"algorithm": ALGORITHM_V2, "beacon_round": beacon_round, "capacity": capacity, "entrants": []},
                          separators=(",", ":"))
        rights = _JSON_RIGHTS
        text = head[:-2] + ",".join([f'["{code}",{rights[right]}]' for code, right in pairs]) + "]}"
    else:
        canonical = {"algorithm": ALGORITHM_V2, "beacon_round": beacon_round, "capacity": capacity, "entrants": [list(p) for p in pairs]}
        text = json.dumps(canonical, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def run_draw(entrants: Sequence[Entrant], capacity: int, seed: str, algorithm: str = ALGORITHM_V1) -> list[Placement]:
    """The placements in draw order: those who get work first, then the reserve list.
    Version 1 unless ``algorithm`` says otherwise (a stored draw passes its own).

    The same as sorting every entrant by ``(group, ticket(seed, id), id)``, written for
    10,000 entrants: the seed's part of each hash is computed once, and each group is
    sorted on its own.

    Version 2: ``seed`` is the *final* seed (:func:`final_seed`), and tickets are of the
    receipt codes; the order is by ``(group, ticket, receipt code)``."""
    if algorithm == ALGORITHM_V2:
        return _run_draw_v2(entrants, capacity, seed)
    if algorithm != ALGORITHM_V1:
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
    return _placed(by_group, capacity)


def _run_draw_v2(entrants: Sequence[Entrant], capacity: int, seed: str) -> list[Placement]:
    if capacity < 0:
        raise ValueError("capacity must not be negative")
    # Entrants as plain (id, right, code) tuples or rows work too: indexed, not named.
    if len({e[0] for e in entrants}) != len(entrants):
        raise ValueError("an entrant appears twice")
    if len({e[2] for e in entrants}) != len(entrants):
        raise ValueError("a receipt code appears twice")
    by_group: tuple[list[tuple[str, str, int, str]], ...] = ([], [], [])
    add = [group.append for group in by_group]
    prefix = hashlib.sha256(f"{seed}:".encode("ascii")).copy
    for pid, right, code in entrants:
        group = GROUPS.get(right)
        if group is None:
            raise ValueError(f"unknown right {right!r}")
        if not code or not code.isascii():
            raise ValueError(f"entrant {pid} has no receipt code")
        h = prefix()
        h.update(code.encode("ascii"))
        add[group]((h.hexdigest(), code, pid, right))
    return _placed(by_group, capacity)


def _placed(by_group: Sequence[list[tuple[Any, ...]]], capacity: int) -> list[Placement]:
    """The placements of both versions: each group sorted (its members are tuples that begin
    with the ticket and end with the participant id and the right; version 2 has the
    receipt code between, which breaks a tie of tickets), then the first ``capacity`` in
    that order get work and the rest a reserve number."""
    out: list[Placement] = []
    make = tuple.__new__  # a NamedTuple without its Python-level __new__: a third of the time
    position = 0
    for group, members in enumerate(by_group):
        members.sort()
        got = "right" if group < 2 else "lottery"
        for member in members:
            tck, pid, right = member[0], member[-2], member[-1]
            position += 1
            if position <= capacity:
                out.append(make(Placement, (pid, right, got, position, None, tck)))
            else:
                out.append(make(Placement, (pid, right, "reserve", position, position - capacity, tck)))
    return out
