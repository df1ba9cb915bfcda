"""Participants and customers: the people and parties a program works with and for.

Health and substance-use data is deliberately absent here: special-category data
lives in separate tables with their own access rules and log.
"""
from __future__ import annotations

import datetime as dt

from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Index, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from core.classification import Category, not_personal, personal
from core.db import Base, OrgScoped, utcnow
from core.names import KEY_LENGTH, search_key
from core.i18n import lazy_gettext as L

GENDERS = ("woman", "man", "other", "unknown")
CUSTOMER_KINDS = ("municipality", "district", "housing_coop", "business", "private", "other")


def _key_of_insert(context: Any) -> str:
    """The search key of a row inserted without the ORM (a bulk import, the benchmark's
    generator): from the names in the same statement. Without a statement (erasure asks the
    default for a column's empty value) there are no names, and the key is empty."""
    if context is None:
        return ""
    row = context.get_current_parameters()
    return search_key(row.get("first_name"), row.get("last_name"), row.get("nickname"))


class Participant(OrgScoped, Base):
    __tablename__ = "participant"
    __label__ = L("The person")
    __table_args__ = (UniqueConstraint("organization_id", "card_code"), Index("ix_participant_org_search_key", "organization_id", "search_key"))
    # The person is the row itself. Erasure anonymizes it rather than deleting it: shifts,
    # pay lines and the reports' counts refer to it, and "#<id>" still tells rows apart.
    __subject__ = "id"
    __erase__ = "anonymize"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100), info=personal(Category.IDENTITY))
    """Erasure writes ``#<id>`` here: language-neutral, and lists still tell rows apart."""
    last_name: Mapped[str] = mapped_column(String(100), default="", info=personal(Category.IDENTITY))
    nickname: Mapped[str] = mapped_column(String(100), default="", info=personal(Category.IDENTITY))
    birth_date: Mapped[dt.date | None] = mapped_column(
        Date, info=personal(Category.IDENTITY, keep="reports count age groups: the birth year only, day and month become 1 July")
    )
    gender: Mapped[str] = mapped_column(String(20), default="unknown", info=personal(Category.IDENTITY, keep="reports count people by gender"))
    phone: Mapped[str] = mapped_column(String(40), default="", info=personal(Category.CONTACT))
    card_code: Mapped[str | None] = mapped_column(String(40), info=personal(Category.IDENTITY))
    """The code printed on the person's card, typed by a USB scanner at the door."""
    first_seen_on: Mapped[dt.date | None] = mapped_column(Date, info=personal(Category.WORK, keep="reports count new people per period"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    search_key: Mapped[str] = mapped_column(String(KEY_LENGTH), default=_key_of_insert, server_default="",
                                            info=personal(Category.IDENTITY, derived="first_name, last_name, nickname"))
    """The names folded for search (:func:`core.names.search_key`), written by the model on
    every change of a name (:func:`_keep_search_key`) and by a bulk insert's default;
    never typed. Derived from the names, so the GDPR export leaves it out (it says nothing
    the names do not) and erasure empties it like them: an erased person is found by no name."""

    @property
    def display_name(self) -> str:
        full = f"{self.first_name} {self.last_name}".strip()
        return f"{full} ({self.nickname})" if self.nickname else full

    @property
    def short_name(self) -> str:
        """What may be shown to a room: nickname, else first name."""
        return self.nickname or self.first_name

    def age_on(self, day: dt.date) -> int | None:
        if self.birth_date is None:
            return None
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


@event.listens_for(Participant, "before_insert")
@event.listens_for(Participant, "before_update")
def _keep_search_key(_mapper: Any, _connection: Any, person: Participant) -> None:
    """Every ORM write of a participant (forms, the API, imports, the demo) stores the key of
    the names it writes, so the key is never older than the names."""
    person.search_key = search_key(person.first_name, person.last_name, person.nickname)


class Customer(OrgScoped, Base):
    __tablename__ = "customer"
    # Personal data here is the customer's contact person's, or a private customer's own:
    # never a participant's, so a participant's export and erasure do not touch it.
    __subject__ = None

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), info=personal(Category.IDENTITY))
    """A private customer's name is a person's."""
    kind: Mapped[str] = mapped_column(String(30), default="other", info=not_personal())
    contact_name: Mapped[str] = mapped_column(String(200), default="", info=personal(Category.CONTACT))
    phone: Mapped[str] = mapped_column(String(40), default="", info=personal(Category.CONTACT))
    email: Mapped[str] = mapped_column(String(200), default="", info=personal(Category.CONTACT))
    address: Mapped[str] = mapped_column(String(300), default="", info=personal(Category.CONTACT))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
