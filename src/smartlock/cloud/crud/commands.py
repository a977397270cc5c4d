"""Commands sent to locks and their outcomes; idempotent per (device, request_id)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smartlock.cloud.models import Command, CommandStatus, utcnow

# The API stopped waiting; the lock may still answer (then settle_result records it).
NO_ANSWER = "no_answer"


def create_command(
    session: Session,
    *,
    device_id: str,
    account_id: int | None,
    request_id: str,
    action: str,
    ttl: dt.timedelta,
) -> tuple[Command, bool]:
    """The command for this request id, and whether it was created now (False: a retry)."""
    existing = get_command_by_request(session, device_id=device_id, request_id=request_id)
    if existing is not None:
        return existing, False
    command = Command(
        device_id=device_id,
        account_id=account_id,
        request_id=request_id,
        action=action,
        expires_at=utcnow() + ttl,
    )
    session.add(command)
    try:
        session.commit()
    except IntegrityError:  # the same request raced in through another worker
        session.rollback()
        again = get_command_by_request(session, device_id=device_id, request_id=request_id)
        assert again is not None
        return again, False
    return command, True


def get_command_by_request(session: Session, *, device_id: str, request_id: str) -> Command | None:
    return session.scalar(
        select(Command).where(Command.device_id == device_id, Command.request_id == request_id)
    )


def get_command(session: Session, *, command_id: str) -> Command | None:
    return session.get(Command, command_id)


def finish_command(
    session: Session,
    *,
    command_id: str,
    status: CommandStatus,
    reason: str | None = None,
    device_id: str | None = None,
) -> bool:
    """Settle a pending command once; later results (a redelivery) change nothing."""
    stmt = update(Command).where(Command.id == command_id, Command.status == CommandStatus.PENDING)
    if device_id is not None:
        stmt = stmt.where(Command.device_id == device_id)
    result = session.execute(stmt.values(status=status, reason=reason, completed_at=utcnow()))
    session.commit()
    return bool(getattr(result, "rowcount", 0))


def settle_result(
    session: Session,
    *,
    command_id: str,
    device_id: str,
    status: CommandStatus,
    reason: str | None,
) -> bool:
    """Record what the lock answered; True when the command's row changed.

    A pending command settles. So does one the API gave up on (``no_answer``): the
    lock's answer is the truth, and the app shows it when it comes late (faults 4).
    A second answer (a QoS 1 redelivery) changes nothing.
    """
    stmt = (
        update(Command)
        .where(Command.id == command_id, Command.device_id == device_id)
        .where(
            (Command.status == CommandStatus.PENDING)
            | ((Command.status == CommandStatus.OFFLINE) & (Command.reason == NO_ANSWER))
        )
        .values(status=status, reason=reason, completed_at=utcnow())
    )
    result = session.execute(stmt)
    session.commit()
    return bool(getattr(result, "rowcount", 0))
