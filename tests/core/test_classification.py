"""Every column that can hold something about a person says so, on the model.

The walk covers every mapped table of the core and of every plugin the app loads, so a
plugin's new text field that declares nothing fails here before it can slip past the
access rules, the log, the export and erasure that are derived from the declaration.
A throwaway plugin model, defined on its own declarative base so the app never sees it,
shows that each kind of mistake is reported.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from litestar import Litestar
from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from core import classification_docs
from core.classification import Category, classified_tables, declaration_problems, not_personal, personal, undeclared_columns
from core.db import Base

ROOT = Path(__file__).resolve().parents[2]


def test_every_column_of_the_core_and_every_plugin_declares_what_it_holds(app: Litestar) -> None:
    # The app has imported every plugin's models, the test plugin's included.
    assert undeclared_columns(Base) == []
    assert declaration_problems(classified_tables(Base)) == []


def test_the_walk_reaches_every_plugins_tables(app: Litestar) -> None:
    plugins = app.state["ctx"].plugins
    walked = {t.table.name for t in classified_tables(Base)}
    assert {"dagsverk_lottery", "nyttig_contract", "payroll_rules", "rolling_list"} <= set(plugins.program_plugins)
    for name in plugins.program_plugins:
        tables = set(getattr(plugins.module(name), "TABLES", ()))
        assert tables, f"plugin {name} declares no TABLES"
        assert tables <= walked, f"plugin {name}: {sorted(tables - walked)} not walked"


def test_special_categories_and_the_tables_that_keep_rows_are_as_decided(app: Litestar) -> None:
    """The decisions others build on: what is special, whose it is, what erasure keeps."""
    tables = {t.table.name: t for t in classified_tables(Base)}

    def category(table: str, column: str) -> Category:
        return tables[table].columns[column].category

    assert category("nyttig_contract_absence", "reason") is Category.HEALTH
    # The assessment form is read, permitted and logged as one record: its own category.
    assert category("nyttig_contract_assessment", "current_use") is Category.ASSESSMENT
    assert category("nyttig_contract_phase_change", "reason") is Category.SUBSTANCE_USE
    assert category("nyttig_contract_incident", "description") is Category.CONDUCT
    assert category("payroll_rules_benefit_status", "note") is Category.FINANCIAL
    assert category("participant", "birth_date") is Category.IDENTITY
    assert tables["participant"].subject == "id"
    for name in ("staff_user", "customer", "work_order"):
        assert tables[name].subject is None, name
    anonymized = {name for name, t in tables.items() if t.columns and t.subject and t.erase == "anonymize"}
    assert {"participant", "shift", "attendance", "payroll_rules_pay_line", "dagsverk_lottery_draw_entrant"} <= anonymized
    # Pay lines are kept whole: an approved run's fingerprint covers every field.
    assert all(c.keep for c in tables["payroll_rules_pay_line"].columns.values())


# --- a plugin that forgot something ------------------------------------------------------


class _ThrowawayBase(DeclarativeBase):
    """Its own registry and metadata: nothing here becomes one of the app's tables."""


class _Participant(_ThrowawayBase):
    __tablename__ = "participant"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100), info=personal(Category.IDENTITY))
    __subject__ = "id"
    __erase__ = "anonymize"


class _NewPluginEntry(_ThrowawayBase):
    """A new plugin's table with a field whose author forgot to classify it."""

    __tablename__ = "newplugin_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"))
    label: Mapped[str] = mapped_column(String(40), info=not_personal())
    mood_today: Mapped[str] = mapped_column(Text, default="")


class _WrongSubject(_ThrowawayBase):
    __tablename__ = "newplugin_wrong_subject"
    __subject__ = "person_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    note: Mapped[str] = mapped_column(Text, info=personal(Category.WORK))


class _SubjectNotAParticipant(_ThrowawayBase):
    __tablename__ = "newplugin_subject_elsewhere"
    __subject__ = "entry_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("newplugin_entry.id"))
    note: Mapped[str] = mapped_column(Text, info=personal(Category.WORK))


class _NobodysData(_ThrowawayBase):
    """Personal data, no participant column, and no decision about whose it is."""

    __tablename__ = "newplugin_undecided"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), info=personal(Category.IDENTITY))


class _SpecialAboutNoOne(_ThrowawayBase):
    __tablename__ = "newplugin_special_no_subject"
    __subject__ = None

    id: Mapped[int] = mapped_column(primary_key=True)
    diagnosis: Mapped[str] = mapped_column(Text, info=personal(Category.HEALTH))


class _KeptButDeleted(_ThrowawayBase):
    __tablename__ = "newplugin_kept_but_deleted"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"))
    hours: Mapped[int] = mapped_column(Integer, info=personal(Category.WORK, keep="pay"))


class _CannotBeEmptied(_ThrowawayBase):
    __tablename__ = "newplugin_cannot_empty"
    __erase__ = "anonymize"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"))
    sick_on: Mapped[dt.date] = mapped_column(Date, info=personal(Category.HEALTH))
    sick: Mapped[bool] = mapped_column(Boolean, default=False, info=personal(Category.HEALTH))
    details: Mapped[dict] = mapped_column(JSON, info=personal(Category.HEALTH))


def _problems() -> list[str]:
    return declaration_problems(classified_tables(_ThrowawayBase))


def test_a_new_plugins_unclassified_field_fails_the_check() -> None:
    assert "newplugin_entry.mood_today" in undeclared_columns(_ThrowawayBase)
    assert any(p.startswith("newplugin_entry.mood_today:") for p in _problems())
    # The declared column beside it is not reported, and the app's tables never saw any of it.
    assert not any(p.startswith("newplugin_entry.label") for p in _problems())
    assert "newplugin_entry" not in Base.metadata.tables


def test_a_subject_that_is_no_column_or_no_participant_fails() -> None:
    found = _problems()
    assert any(p.startswith("newplugin_wrong_subject:") and "'person_id'" in p and "not one of its columns" in p for p in found)
    assert any(p.startswith("newplugin_subject_elsewhere:") and "does not refer to participant.id" in p for p in found)


def test_personal_data_about_no_one_decided_fails() -> None:
    found = _problems()
    assert any(p.startswith("newplugin_undecided:") and "__subject__" in p for p in found)
    assert any(p.startswith("newplugin_special_no_subject.diagnosis:") for p in found)
    # Declaring whose it is settles ordinary data: customer and staff tables do so.
    assert not any(p.startswith("newplugin_special_no_subject:") for p in found)


def test_an_erase_rule_that_cannot_be_carried_out_fails() -> None:
    found = _problems()
    assert any(p.startswith("newplugin_kept_but_deleted.hours:") and "anonymize" in p for p in found)
    assert any(p.startswith("newplugin_cannot_empty.sick_on:") for p in found)
    # A default or text can be emptied.
    assert not any(p.startswith(("newplugin_cannot_empty.sick:", "newplugin_cannot_empty.details:")) for p in found)
    # The participant row itself names its own id as subject: that is right.
    assert not any(p.startswith("participant") for p in found)


def test_an_unknown_erase_rule_is_refused() -> None:
    class Odd(DeclarativeBase):
        pass

    class OddTable(Odd):
        __tablename__ = "odd"
        __erase__ = "shred"
        id: Mapped[int] = mapped_column(primary_key=True)

    with pytest.raises(ValueError, match="__erase__"):
        classified_tables(Odd)


# --- the document --------------------------------------------------------------------------


def test_docs_security_shows_the_classification_as_the_models_declare_it(app: Litestar) -> None:
    document = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    assert "Classification of personal data" in document
    assert classification_docs.committed_table(document) == classification_docs.current_table().strip("\n"), (
        "docs/security.md is stale: run `.venv/bin/python -m core.classification_docs --write docs/security.md`"
    )


def test_the_generated_table_names_category_special_erasure_and_subject(app: Litestar) -> None:
    table = classification_docs.current_table()
    assert "| `nyttig_contract_absence` | `reason` | health | yes | row deleted | `participant_id` |" in table
    assert "| `participant` | `phone` | contact |  | emptied, row kept | `id` |" in table
    assert "| `payroll_rules_pay_line` | `amount_ore` | financial |  | kept: bookkeeping act" in table
    assert "| `customer` | `email` | contact |  | not a participant's: their erasure leaves it | none |" in table
    # Declared not personal: not in the table. A plugin only the tests register: not either.
    assert "`password_hash`" not in table and "rolling_list_entry" not in table


def test_the_table_is_written_between_the_markers_only(tmp_path: Path) -> None:
    doc = tmp_path / "security.md"
    doc.write_text(f"# Security\n\nby hand\n\n{classification_docs.BEGIN}\nold table\n{classification_docs.END}\n\nafter\n", encoding="utf-8")
    assert classification_docs.main(["--write", str(doc)]) == 0
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# Security\n\nby hand\n\n") and text.endswith(f"{classification_docs.END}\n\nafter\n")
    assert "old table" not in text and "| `intake_record` | `health` | health | yes |" in text
    with pytest.raises(ValueError):
        classification_docs.replace_table("no markers here", "")
