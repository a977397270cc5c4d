"""The fleet bench's own pieces that decide what its figures mean (issue 11): the
broker it starts is the deployment's, its exactly-once check catches what it must,
its simulated lock keeps a journal like a lock, its percentiles are nearest-rank.
Nothing here is timed; the bench itself prints the numbers.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

from fleet import checks, infra  # noqa: E402
from fleet.provision import SimSide  # noqa: E402
from fleet.unlock import percentile  # noqa: E402

from smartlock.cli import build_parser  # noqa: E402


def test_private_broker_keeps_the_deployment_limits(tmp_path: Path) -> None:
    conf = infra.mosquitto_conf(41883, 41884, tmp_path)
    deploy = infra.DEPLOY_CONF.read_text().splitlines()
    for key in ("message_size_limit", "max_inflight_messages", "max_queued_messages"):
        wanted = next(line for line in deploy if line.startswith(key + " "))
        assert wanted in conf.splitlines()
    assert "listener 41883 127.0.0.1" in conf  # the locks' (login = client id)
    assert "listener 41884 127.0.0.1" in conf  # the cloud's and the simulator's
    assert f"password_file {tmp_path / 'passwd'}" in conf
    assert f"password_file {tmp_path / 'passwd-services'}" in conf
    assert "allow_anonymous false" in conf


def test_acl_is_the_deployments_plus_the_simulator() -> None:
    acl = infra.fleet_acl("fleet-sim")
    for line in infra.DEPLOY_ACL.read_text().splitlines():
        assert line in acl.splitlines()
    sim = acl.split("user fleet-sim\n", 1)[1].split("\n\n", 1)[0]
    assert "topic readwrite smartlock/v1/#" in sim
    # The per-lock patterns still come last, so they apply to every lock login.
    assert acl.rstrip().endswith("pattern write smartlock/v1/%c/pairing/hello")


class _Db:
    """The two query methods checks.exactly_once uses, on SQLite."""

    def __init__(self) -> None:
        self.engine = create_engine("sqlite://")
        with self.engine.begin() as conn:
            conn.execute(
                text("create table events (id integer primary key, device_id text, seq int)")
            )

    def add(self, device_id: str, *seqs: int) -> None:
        with self.engine.begin() as conn:
            for seq in seqs:
                conn.execute(
                    text("insert into events (device_id, seq) values (:d, :s)"),
                    {"d": device_id, "s": seq},
                )

    def scalar(self, sql: str, **params: object) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def rows(self, sql: str, **params: object) -> list[tuple[object, ...]]:
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]


class _Lock:
    def __init__(self, device_id: str, acked: int) -> None:
        self.device_id = device_id
        self.side = SimSide(acked=acked)


@pytest.mark.parametrize(
    ("stored", "acked", "flag"),
    [
        ((1, 2, 3), 3, None),
        ((1, 2, 3, 4), 3, "stored_ack_pending"),  # stored, its ack on the way: fine
        ((1, 3), 3, "locks_with_gaps"),
        ((1, 2, 2, 3), 3, "locks_with_duplicates"),
        ((1, 3, 2), 3, "out_of_order"),
        ((1, 2), 3, "acked_but_missing"),
    ],
)
def test_exactly_once_check_flags_what_a_user_would_lose(
    stored: tuple[int, ...], acked: int, flag: str | None
) -> None:
    db = _Db()
    db.add("d1", *stored)
    got = checks.exactly_once(db, [_Lock("d1", acked)])  # type: ignore[arg-type]
    if flag is None:
        assert got["ok"] is True
    else:
        assert got[flag] == 1
        assert got["ok"] is (flag == "stored_ack_pending")


def test_simulated_lock_keeps_its_journal_until_acked() -> None:
    side = SimSide()
    side.record(5)
    assert [e.seq for e in side.unacked_events(3)] == [1, 2, 3]
    side.ack(3)
    assert [e.seq for e in side.unacked_events(50)] == [4, 5]
    side.ack(2)  # an old ack never moves the pointer back
    assert side.acked_through() == 3


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile([7.0], 99) == 7.0
    assert percentile([], 50) is None


def test_bench_is_a_smartlock_subcommand() -> None:
    args = build_parser().parse_args(["bench", "fleet", "--quick", "--locks", "50"])
    assert args.name == "fleet"
    assert args.options == ["--quick", "--locks", "50"]
