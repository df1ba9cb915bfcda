"""Participants and customers: the people and parties a program works with and for.

Health and substance-use data is deliberately absent here: special-category data
lives in separate tables with their own access rules and log.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.classification import Category, not_personal, personal
from core.db import Base, OrgScoped, utcnow
from core.i18n import lazy_gettext as L

GENDERS = ("woman", "man", "other", "unknown")
CUSTOMER_KINDS = ("municipality", "district", "housing_coop", "business", "private", "other")


class Participant(OrgScoped, Base):
    __tablename__ = "participant"
    __label__ = L("The person")
    __table_args__ = (UniqueConstraint("organization_id", "card_code"),)
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
