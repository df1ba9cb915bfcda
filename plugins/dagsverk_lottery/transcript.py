"""A version 2 draw's public transcript, and what a receipt code finds in it.

The transcript is everything needed to recompute the draw without the app
(``scripts/check_draw.py``, docs/lottery.md): the algorithm, the places, the two
fingerprints published at sealing, the beacon round named then, the numbers typed at the
draw, the beacon value, the seed once drawn, the entrants as ``[receipt code, right]`` and
the results. It names no person and no internal id, so it can be published.
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from msgspec import Meta
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import ProgramDay
from plugins.dagsverk_lottery import algorithm, beacon
from plugins.dagsverk_lottery.draws import ticket_seed
from plugins.dagsverk_lottery.models import Draw, DrawEntrant


class TranscriptOut(msgspec.Struct):
    """A draw's transcript (version 2 only: version 1 named entrants by participant id)."""

    algorithm: Annotated[str, Meta(description="The algorithm's name and version, `dagsverk-lottery/2`.")]
    date: Annotated[dt.date, Meta(description="The program day drawn for.")]
    attempt: Annotated[int, Meta(description="1 for the day's first draw; one more after each voided draw.")]
    status: Annotated[str, Meta(description="`sealed`, `drawn` or `voided`.")]
    capacity: Annotated[int, Meta(description="Places drawn for.")]
    seed_sha256: Annotated[str, Meta(description="SHA-256 of the server's seed, published when check-in closed.")]
    entrants_sha256: Annotated[str, Meta(description="SHA-256 of the entrants, their rights, the places and the beacon round, published when check-in closed.")]
    beacon_chain: Annotated[str | None, Meta(description="The drand chain's hash (quicknet); null when no round was named.")]
    beacon_round: Annotated[int | None, Meta(description="The drand round named at sealing; null when the beacon was off.")]
    beacon_value: Annotated[str | None, Meta(description="The named round's randomness, mixed into the seed; null when it could not be fetched or before the draw.")]
    contribution: Annotated[str | None, Meta(description="The numbers typed at the draw as canonical text (sorted, `7.12.45./`); null before the draw.")]
    seed: Annotated[str | None, Meta(description="The server's seed, once drawn; null before.")]
    final_seed: Annotated[str | None, Meta(description="SHA-256 of `seed:entrants_sha256:contribution:beacon` (`-` for no beacon value); null before the draw.")]
    entrants: Annotated[list[Annotated[list[str], Meta(description="`[receipt code, right]`; a right is `none`, `first_day`, `third_day` or `carried_over`.")]],
                        Meta(description="Every entrant, by receipt code.")]
    results: Annotated[list[Annotated[list[str | int | None], Meta(description="`[receipt code, result, place, reserve number]`; a result is `right`, `lottery` or `reserve`, the reserve number null for those with work.")]],
                       Meta(description="The draw's order, those with work first; empty before the draw.")]


def public(draw: Draw) -> bool:
    """Whether the draw has a transcript: only version 2 names entrants by receipt code."""
    return draw.algorithm != algorithm.ALGORITHM_V1


def transcript(db: Session, draw: Draw) -> TranscriptOut:
    revealed = draw.status != "sealed"
    rows = db.execute(select(DrawEntrant.receipt_code, DrawEntrant.right, DrawEntrant.result, DrawEntrant.position,
                             DrawEntrant.reserve_number).where(DrawEntrant.draw_id == draw.id)).all()
    date = db.scalar(select(ProgramDay.date).where(ProgramDay.id == draw.day_id))
    results: list[list[str | int | None]] = sorted(([code, result, position, reserve] for code, _right, result, position, reserve in rows
                                                    if result), key=lambda r: r[2] or 0) if revealed else []
    return TranscriptOut(
        algorithm=draw.algorithm, date=date, attempt=draw.attempt, status=draw.status, capacity=draw.capacity,
        seed_sha256=draw.seed_sha256, entrants_sha256=draw.entrants_sha256,
        beacon_chain=beacon.CHAIN if draw.beacon_round is not None else None, beacon_round=draw.beacon_round,
        beacon_value=draw.beacon_value if revealed else None, contribution=draw.contribution if revealed else None,
        seed=draw.seed if revealed else None, final_seed=ticket_seed(draw) if revealed else None,
        entrants=sorted([code, right] for code, right, *_rest in rows), results=results,
    )


class Receipt(msgspec.Struct):
    """What a receipt code finds: the person's ticket, group and place, no name."""

    code: str
    right: str
    group: int
    ticket: str | None
    result: str | None
    position: int | None
    reserve_number: int | None
    called_in: bool


def find_receipt(db: Session, draw: Draw, code: str) -> Receipt | None:
    code = "".join(code.split()).upper()
    if not algorithm.is_receipt_code(code):
        return None
    row = db.execute(select(DrawEntrant.right, DrawEntrant.result, DrawEntrant.position, DrawEntrant.reserve_number,
                            DrawEntrant.called_in)
                     .where(DrawEntrant.draw_id == draw.id, DrawEntrant.receipt_code == code)).first()
    if row is None:
        return None
    right, result, position, reserve_number, called_in = row
    revealed = draw.status != "sealed"
    return Receipt(code=code, right=right, group=algorithm.GROUPS.get(right, 2),
                   ticket=algorithm.ticket(ticket_seed(draw), code) if revealed else None,
                   result=result if revealed else None, position=position if revealed else None,
                   reserve_number=reserve_number if revealed else None, called_in=bool(called_in))
