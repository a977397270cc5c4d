"""What the lock client last told Home Assistant, so it tells it only what changed.

`HaLink` holds the HA-facing view of one lock: the device's name (the app's name for
it, from the settings shadow's `device_name`), firmware and code rule (these three
make the discovery document), the last `ha/state`, `ha/duress` and `ha/firmware`
payloads, the end of a duress alert, the cloud's firmware offer and whether an install
from HA is running. It does no I/O: the lock client publishes what it returns.
`homeassistant_command` turns HA's command into the lock's own remote command (A-HA).
"""

from __future__ import annotations

import json
from typing import Any

from smartlock.device.core.inputs import RemoteAction
from smartlock.link import homeassistant as ha
from smartlock.link.codec import canonical
from smartlock.link.schemas import Command, Event, HaCommand, ShadowReported, StateReport
from smartlock.link.signing import new_nonce
from smartlock.link.topics import Channel, ha_discovery_topic, topic

HA_COMMAND_TTL_S = 30.0  # as the app's commands: a late one does nothing (A-REMOTE)
HA_CLOCK_SKEW_S = 30.0  # HA's clock may run this far ahead of the lock's
NAME_SETTING = "device_name"  # shadow key the cloud sets to the app's name for the lock
LOCKOUT_JITTER_S = 2  # the lockout's end moves only when it was extended

Message = tuple[str, bytes, bool]  # topic, payload, retain


def homeassistant_command(command: HaCommand, now: float) -> Command | str:
    """The lock command for HA's lock or unlock, or the reason it is refused at once.

    The request id comes from HA's clock (`at`), so the lock's replay memory drops a
    second delivery, and `expires_at` makes a late one do nothing, as for the app.
    """
    at = command.at
    if at is None:
        return "bad_input"  # an old discovery document: HA reloads the new one
    if at > now + HA_CLOCK_SKEW_S:
        return "bad_input"
    if now > at + HA_COMMAND_TTL_S:
        return "expired_request"
    action = RemoteAction.LOCK if command.action == "LOCK" else RemoteAction.UNLOCK
    params: dict[str, Any] = {"origin": "home_assistant"}
    if command.code and command.code != "None":  # HA renders a missing code as None
        params["code"] = command.code
    return Command(
        request_id=f"ha-{at:.3f}-{action.value}",
        action=action,
        params=params,
        issued_at=at,
        expires_at=at + HA_COMMAND_TTL_S,
        nonce=new_nonce(),
    )


class HaLink:
    """The HA side of one lock's link (see the module docstring)."""

    def __init__(self, lock_id: str, default_name: str = ha.DEFAULT_NAME) -> None:
        self.lock_id = lock_id
        self.default_name = default_name
        self.offer: dict[str, Any] | None = None  # the cloud's signed release (A-OTA)
        self.installing = False
        self._device: tuple[str, str, bool] | None = None  # name, firmware, unlock code
        self._state: StateReport | None = None
        self._sent: dict[str, bytes] = {}  # topic -> last retained payload
        self._duress_until = 0.0
        self._lockout_until = 0  # when the lockout HA shows ends (epoch s)
        self._lockout_left = 0  # its remaining seconds when last seen

    @property
    def duress_topic(self) -> str:
        return topic(self.lock_id, Channel.HA_DURESS)

    @property
    def name(self) -> str:
        return self._device[0] if self._device else self.default_name

    def describe(self, state: StateReport, reported: ShadowReported) -> bool:
        """Note the device as it is now; True if the discovery document must change."""
        self._state = state
        name = reported.settings.get(NAME_SETTING)
        code = reported.settings.get("ha_unlock_code", True)
        device = (
            name if isinstance(name, str) and name.strip() else self.default_name,
            state.firmware,
            code is not False,
        )
        changed = device != self._device
        self._device = device
        return changed

    def discovery_messages(self, now: float) -> list[Message]:
        """The discovery document, then every retained HA topic again."""
        name, firmware, code = self._device or (self.default_name, "", True)
        doc = ha.discovery_document(self.lock_id, name=name, firmware=firmware, unlock_code=code)
        out: list[Message] = [(ha_discovery_topic(self.lock_id), json.dumps(doc).encode(), True)]
        if self._state is not None:
            out += self.state_messages(self._state, now, force=True)
        return out

    def state_messages(
        self, state: StateReport, now: float, *, force: bool = False
    ) -> list[Message]:
        """Retained HA topics whose payload changed (all of them with `force`)."""
        self._state = state
        remaining = state.lockout_remaining_s
        if remaining <= 0:
            self._lockout_until = 0
        elif not self._lockout_until or remaining > self._lockout_left + LOCKOUT_JITTER_S:
            self._lockout_until = round(now + remaining)  # a lockout began or was extended
        self._lockout_left = remaining
        duress = b"ON" if now < self._duress_until else b"OFF"
        firmware = ha.firmware_state(
            state.firmware, self.offer, in_progress=self.installing, update=state.firmware_update
        )
        wanted = {
            topic(self.lock_id, Channel.HA_STATE): canonical(
                ha.ha_state(state, lockout_until=self._lockout_until)
            ),
            self.duress_topic: duress,
            topic(self.lock_id, Channel.HA_FIRMWARE): canonical(firmware),
        }
        out: list[Message] = []
        for name, payload in wanted.items():
            if force or self._sent.get(name) != payload:
                self._sent[name] = payload
                out.append((name, payload, True))
        return out

    def event_messages(self, event: Event, now: float) -> list[tuple[str, bytes]]:
        """HA events for one fresh journal event; a duress turns the sensor on for
        `DURESS_OFF_DELAY_S` (retained, so a restarted HA still sees it).
        """
        out: list[tuple[str, bytes]] = []
        for name, body in ha.ha_messages(self.lock_id, event):
            if name == self.duress_topic:
                self._duress_until = max(self._duress_until, event.at + ha.DURESS_OFF_DELAY_S)
                if now >= self._duress_until:
                    continue
                self._sent[name] = b"ON"
            out.append((name, body if isinstance(body, bytes) else canonical(body)))
        return out
