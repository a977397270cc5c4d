"""Issue 12 (2): a SQLite migration killed part-way leaves a cloud that starts.

Before the fix Python's sqlite3 committed each `CREATE TABLE` on its own: killed
16-38 ms into the first migration the file held 5-14 of 23 tables and an empty
`alembic_version`, and every later `cloud serve`, `migrate` or `create-user` failed
with "table accounts already exists". Now all pending migrations run in one SQLite
transaction (transactional DDL), so a SIGKILL at any statement leaves nothing.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from smartlock.cloud.db import HalfMadeDatabase, make_engine, upgrade
from smartlock.cloud.models import Base

CHILD = Path(__file__).with_name("migrate_child.py")
SRC = str(Path(__file__).resolve().parents[2] / "src")


def _child(path: Path, kill_at: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(CHILD), str(path), str(kill_at)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": SRC},
    )


def _starts_and_matches_the_models(path: Path) -> None:
    """What `cloud serve` does first: migrate; then the schema is exactly the models'."""
    engine = make_engine(f"sqlite:///{path}")
    try:
        upgrade(engine)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
            version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        assert diff == [] and version
    finally:
        engine.dispose()


@pytest.mark.timeout(600)
def test_sigkill_at_chosen_statements_of_the_first_migration_recovers(tmp_path: Path) -> None:
    full = _child(tmp_path / "whole.db", 0)
    out, err = full.communicate(timeout=120)
    statements = int(out.split()[-1])
    assert statements > 30, err
    rnd = random.Random(12)
    points = sorted({1, 2, statements - 1, *rnd.sample(range(3, statements - 1), 22)})
    for n in points:
        path = tmp_path / f"k{n}.db"
        proc = _child(path, n)
        proc.communicate(timeout=120)
        assert proc.returncode == -signal.SIGKILL, n
        _starts_and_matches_the_models(path)


@pytest.mark.timeout(600)
def test_sigkill_at_random_times_during_the_migration_recovers(tmp_path: Path) -> None:
    rnd = random.Random(7)
    for n in range(10):
        path = tmp_path / f"t{n}.db"
        proc = _child(path, 0)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        time.sleep(rnd.uniform(0.0, 0.25))
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
        _starts_and_matches_the_models(path)


def test_a_database_half_made_by_an_older_version_is_repaired(tmp_path: Path) -> None:
    """What the old code left behind: some empty tables, an empty alembic_version."""
    path = tmp_path / "half.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    conn.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, email TEXT)")
    conn.commit()
    conn.close()
    _starts_and_matches_the_models(path)


def test_a_versionless_database_with_rows_is_refused_not_dropped(tmp_path: Path) -> None:
    path = tmp_path / "data.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, email TEXT)")
    conn.execute("INSERT INTO accounts VALUES (1, 'a@example.org')")
    conn.commit()
    conn.close()
    engine = make_engine(f"sqlite:///{path}")
    with pytest.raises(HalfMadeDatabase, match="accounts hold rows"):
        upgrade(engine)
    engine.dispose()
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT COUNT(*) FROM accounts").fetchone()[0] == 1
    conn.close()
