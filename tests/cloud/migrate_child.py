"""Child for the migration kill tests: `python migrate_child.py DB_FILE KILL_AT`.

Runs the cloud's start-up migration on a SQLite file and SIGKILLs itself just before
its KILL_AT-th SQL statement (0: never; it then prints how many statements it ran).
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

from sqlalchemy import event

from smartlock.cloud.db import make_engine, upgrade


def main(path: str, kill_at: int) -> None:
    engine = make_engine(f"sqlite:///{path}")
    count = 0

    def before(*_args: Any) -> None:
        nonlocal count
        count += 1
        if count == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    event.listen(engine, "before_cursor_execute", before)
    print("ready", flush=True)
    upgrade(engine)
    print(count, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
