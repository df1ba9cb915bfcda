"""The public randomness beacon a version 2 draw names at sealing: drand's quicknet chain
(the League of Entropy), a new 256-bit value every 3 seconds that no one, not even the
servers that produce it together, knows before its round.

At sealing the draw names a round that does not exist yet (:func:`round_after`); at the
draw it fetches that round's value with a short timeout. Where the network does not
allow it (an air-gapped server, drand down, the round not reached because the draw
followed at once), the draw goes on with the numbers typed in the room and says so.

``LAVTERSKEL_DRAW_BEACON=off`` switches the beacon off (no round is named); the tests run
so and inject a fetch where they need one (:data:`fetch`).
"""
from __future__ import annotations

import json
import os
import time
import urllib.request
from collections.abc import Callable

CHAIN = "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971"
"""drand quicknet's chain hash."""
GENESIS = 1692803367
"""Unix time of quicknet's round 1."""
PERIOD = 3
"""Seconds between rounds."""
URL = "https://api.drand.sh/{chain}/public/{round}"
TIMEOUT = 2.0
"""Seconds the draw waits for the beacon before it goes on without it."""
ROUNDS_AHEAD = 2
"""The named round is this many after the current one: 3-6 seconds after sealing."""


def enabled() -> bool:
    return os.environ.get("LAVTERSKEL_DRAW_BEACON", "drand").strip().lower() not in ("off", "0", "no", "false")


def round_at(unix_time: float) -> int:
    """The latest round published at ``unix_time``."""
    return max(1, int((unix_time - GENESIS) // PERIOD) + 1)


def round_time(round_number: int) -> float:
    """Unix time at which ``round_number`` is published."""
    return GENESIS + (round_number - 1) * PERIOD


def round_after(unix_time: float | None = None) -> int | None:
    """The round a draw sealed now names: one that does not exist yet, or None when the
    beacon is off."""
    if not enabled():
        return None
    return round_at(time.time() if unix_time is None else unix_time) + ROUNDS_AHEAD


def fetch_drand(round_number: int) -> tuple[str | None, str]:
    """``(randomness as 64 hex characters, "")`` or ``(None, why not)``. Never raises:
    the draw goes on without the beacon."""
    if time.time() < round_time(round_number):
        return None, "not_yet"
    try:
        with urllib.request.urlopen(URL.format(chain=CHAIN, round=round_number), timeout=TIMEOUT) as response:  # noqa: S310 - a fixed https URL
            body = json.loads(response.read(10_000))
    except (OSError, ValueError):
        return None, "unreachable"
    if not isinstance(body, dict):
        return None, "invalid"
    value = body.get("randomness")
    if body.get("round") != round_number or not isinstance(value, str) or len(value) != 64 \
            or any(c not in "0123456789abcdef" for c in value):
        return None, "invalid"
    return value, ""


fetch: Callable[[int], tuple[str | None, str]] = fetch_drand
"""What the draw calls; tests replace it."""
