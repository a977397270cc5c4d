"""The link's checks on a cloud command before the lock sees it (A-REMOTE).

Signature (checked on receipt), expiry and nonce (`CommandGuard`), then the sealed
parameters are opened; the lock applies its own rules to what passes and its result
goes back signed. A replayed command gets no second answer: it could contradict the
first.
"""

from __future__ import annotations

import logging

from smartlock.errors import ErrorCode
from smartlock.link.errors import AuthError, LinkError
from smartlock.link.lock_side import LockSide
from smartlock.link.schemas import Command, CommandResult
from smartlock.link.signing import CommandGuard, open_sealed_params

log = logging.getLogger(__name__)


async def answer_command(
    lock: LockSide, guard: CommandGuard, key: str, lock_id: str, command: Command, now: float
) -> CommandResult | None:
    """The result to send for `command`, or None when it must go unanswered."""
    try:
        guard.check(command, now)
        params = open_sealed_params(key, lock_id, command.request_id, command.params)
    except AuthError as exc:
        log.warning("link %s: refused command: %s", lock_id, exc)
        if exc.code is ErrorCode.DUPLICATE_REQUEST:
            return None  # already answered once; a second answer could contradict it
        return CommandResult(request_id=command.request_id, ok=False, reason=exc.code.value)
    except LinkError as exc:
        return CommandResult(request_id=command.request_id, ok=False, reason=exc.code.value)
    result = await lock.submit(command.model_copy(update={"params": params}))
    if result.request_id != command.request_id:
        result = result.model_copy(update={"request_id": command.request_id})
    return result
