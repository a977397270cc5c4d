"""Builders for the columns and keys the migrations repeat, written once.

Frozen with the history: each builder must keep issuing the DDL it issues today (an
existing migration replays it on every fresh database); a new need gets a new builder.
Columns are NOT NULL unless ``nullable=True``; timestamps are timezone-aware.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa


def integer(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.Integer(), nullable=nullable)


def string(name: str, length: int, *, nullable: bool = False, **extra: Any) -> sa.Column[Any]:
    return sa.Column(name, sa.String(length=length), nullable=nullable, **extra)


def text(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.Text(), nullable=False)


def boolean(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.Boolean(), nullable=nullable)


def json(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.JSON(), nullable=nullable)


def binary(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.LargeBinary(), nullable=False)


def timestamp(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def enum(name: str, type_name: str, *values: str) -> sa.Column[Any]:
    """A string enum stored as VARCHAR(16) (no native enum type)."""
    kind = sa.Enum(*values, name=type_name, native_enum=False, length=16)
    return sa.Column(name, kind, nullable=False)


def device_id() -> sa.Column[Any]:
    return string("device_id", 32)


def fk(column: str, target: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [target], ondelete=ondelete)


def creator() -> sa.Column[Any]:
    """The account that made the row; NULL once that account is deleted (``creator_fk``)."""
    return integer("created_by", nullable=True)


def creator_fk() -> sa.ForeignKeyConstraint:
    return fk("created_by", "accounts.id", "SET NULL")
