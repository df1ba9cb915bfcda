"""The operator of one or more programs, its sites and departments, and dated settings."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.classification import Category, not_personal, personal
from core.db import Base, OrgScoped


class Organization(Base):
    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True, info=not_personal())
    name: Mapped[str] = mapped_column(String(200), info=not_personal())
    program_name: Mapped[str] = mapped_column(String(200), default="", info=not_personal())

    plugins: Mapped[list[OrganizationPlugin]] = relationship(
        back_populates="organization", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def enabled_plugins(self) -> frozenset[str]:
        return frozenset(p.plugin for p in self.plugins if p.enabled)


class OrganizationPlugin(Base):
    """A plugin an organization has switched on (or off, keeping its data)."""

    __tablename__ = "organization_plugin"
    __table_args__ = (UniqueConstraint("organization_id", "plugin"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"))
    plugin: Mapped[str] = mapped_column(String(80), info=not_personal())
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)

    organization: Mapped[Organization] = relationship(back_populates="plugins")


class Site(OrgScoped, Base):
    """A place a program runs from (Dagsverket's base at Stavne; Nyttig Arbeid's Kampen)."""

    __tablename__ = "site"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), info=not_personal())
    address: Mapped[str] = mapped_column(String(300), default="", info=not_personal())


class Department(OrgScoped, Base):
    """A fixed workplace (shop, café, recycling station); opens and closes over time."""

    __tablename__ = "department"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(200), info=not_personal())
    opened_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)

    def is_open_on(self, day: dt.date) -> bool:
        return (self.opened_on is None or self.opened_on <= day) and (self.closed_on is None or day < self.closed_on)


class DatedSetting(OrgScoped, Base):
    """A setting whose value changes on a date: capacity, day wage, hourly rate.

    The value in force on a day is the row with the latest ``valid_from`` not after it;
    history is never overwritten, so old days and old pay are explained by old values.
    """

    __tablename__ = "dated_setting"
    __table_args__ = (UniqueConstraint("organization_id", "key", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), info=not_personal())
    valid_from: Mapped[dt.date] = mapped_column(Date)
    value: Mapped[object] = mapped_column(JSON, info=not_personal())
    note: Mapped[str] = mapped_column(String(300), default="", info=not_personal())
    """Why the value changed (a board decision, a new budget): about the program, not a person."""
