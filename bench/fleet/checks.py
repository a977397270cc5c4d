"""What the database says: stored events, locks known online, exactly-once order."""

from __future__ import annotations

from .infra import Database
from .provision import FleetLock


def stored_events(db: Database) -> int:
    return int(str(db.scalar("select count(*) from events")))


def known_online(db: Database) -> int:
    """Locks the cloud shows online WITH their reported state (A-STATUS)."""
    sql = "select count(*) from devices where online and state_at is not null"
    return int(str(db.scalar(sql)))


def online(db: Database) -> int:
    return int(str(db.scalar("select count(*) from devices where online")))


def exactly_once(db: Database, locks: list[FleetLock]) -> dict[str, object]:
    """Per lock: stored seqs are exactly 1..k (no gap, no duplicate), inserted in seq
    order, and k covers every event the lock saw acknowledged.
    """
    per_device = {
        str(r[0]): (int(str(r[1])), int(str(r[2])), int(str(r[3])), int(str(r[4])))
        for r in db.rows(
            "select device_id, count(*), count(distinct seq), min(seq), max(seq) "
            "from events group by device_id"
        )
    }
    out_of_order = int(
        str(
            db.scalar(
                "select count(*) from (select seq, lag(seq) over "
                "(partition by device_id order by id) as prev from events) t "
                "where prev is not null and seq <= prev"
            )
        )
    )
    gaps = dups = short = stored_unacked = 0
    for lock in locks:
        count, distinct, lo, hi = per_device.get(lock.device_id, (0, 0, 0, 0))
        if count != distinct:
            dups += 1
        if count and (lo != 1 or hi != distinct):
            gaps += 1
        if hi < lock.side.acked:
            short += 1  # the lock was told "stored" for an event that is not there
        elif hi > lock.side.acked:
            stored_unacked += 1  # stored, its ack still on the way: allowed
    total = sum(v[0] for v in per_device.values())
    return {
        "ok": gaps == dups == short == out_of_order == 0,
        "events": total,
        "locks_with_gaps": gaps,
        "locks_with_duplicates": dups,
        "acked_but_missing": short,
        "out_of_order": out_of_order,
        "stored_ack_pending": stored_unacked,
    }
