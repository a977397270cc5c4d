"""The lock client's tuning knobs, shared by the session and the jobs it runs."""

from __future__ import annotations

from dataclasses import dataclass

from smartlock.link.homeassistant import DEFAULT_NAME


@dataclass(frozen=True, slots=True)
class LinkOptions:
    """Tuning knobs of the lock client; the defaults suit a real lock."""

    batch_size: int = 50
    # An unacknowledged batch is sent again after ack_timeout_s, then after twice as
    # long each time up to ack_timeout_max_s, each wait scaled by a random factor in
    # [1 - resend_jitter, 1 + resend_jitter]: after a cloud outage, 10,000 locks do not
    # resend in lock-step, and a slow cloud is not buried under copies (fleet).
    ack_timeout_s: float = 5.0
    ack_timeout_max_s: float = 120.0
    resend_jitter: float = 0.25
    poll_s: float = 5.0
    reconnect_min_s: float = 0.2
    reconnect_max_s: float = 30.0
    ha_discovery: bool = True
    device_name: str = DEFAULT_NAME  # until the app's name arrives in the shadow
