"""One database transaction around code that commits as it goes.

The crud helpers commit after each change, which suits an API request. Ingestion and
the derivation of app data from the journal need several of them to land together or
not at all (a worker killed between two commits must not leave half a batch: issue
"faults" 1). ``atomic(engine)`` gives a session whose ``commit()`` only releases a
savepoint and whose ``rollback()`` undoes only the work since the last one; the real
COMMIT happens once, when the block ends without an exception.

SQLite: pysqlite starts transactions lazily and a RELEASE of the outermost savepoint
would commit, so the block starts with an explicit ``BEGIN IMMEDIATE`` (it also takes
the write lock up front, so a read-then-write block never fails on a stale snapshot).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from smartlock.cloud.memo import KEY


@contextlib.contextmanager
def atomic(engine: Engine, *, memo: bool = False) -> Iterator[Session]:
    """A session whose work commits as one transaction at the end of the block;
    ``memo``: repeated lookups in it are answered once (``cloud.memo``).
    """
    with engine.connect() as conn:
        outer = conn.begin()
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        session = Session(
            bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        if memo:
            session.info[KEY] = {}
        try:
            yield session
            session.commit()  # releases the last savepoint; the COMMIT is below
        except BaseException:
            session.close()
            outer.rollback()
            raise
        session.close()
        outer.commit()
