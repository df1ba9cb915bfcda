"""Participants and customers: the people and parties a program works with and for.

Health and substance-use data is deliberately absent here: special-category data
lives in separate tables with their own access rules and log.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.classification import Category, personal
from core.db import Base, OrgScoped, utcnow
from core.i18n import lazy_gettext as L

GENDERS = ("woman", "man", "other", "unknown")
CUSTOMER_KINDS = ("municipality", "district", "housing_coop", "business", "private", "other")


class Participant(OrgScoped, Base):
    __tablename__ = "participant"
    __label__ = L("The person")
    __subject__ = "id"
    __erase__ = "anonymize"
    __table_args__ = (UniqueConstraint("organization_id", "card_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100), info=personal(Category.IDENTITY))
    last_name: Mapped[str] = mapped_column(String(100), default="", info=personal(Category.IDENTITY))
    nickname: Mapped[str] = mapped_column(String(100), default="", info=personal(Category.IDENTITY))
    birth_date: Mapped[dt.date | None] = mapped_column(Date, info=personal(Category.IDENTITY))
    gender: Mapped[str] = mapped_column(String(20), default="unknown", info=personal(Category.IDENTITY, keep="reports count people by gender"))
    phone: Mapped[str] = mapped_column(String(40), default="", info=personal(Category.CONTACT))
    card_code: Mapped[str | None] = mapped_column(String(40), info=personal(Category.IDENTITY))
    """The code printed on the person's card, typed by a USB scanner at the door."""
    first_seen_on: Mapped[dt.date | None] = mapped_column(Date)
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

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30), default="other")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
