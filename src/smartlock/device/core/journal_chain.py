"""The journal's hash chain: each event carries the hash of the one before (issue 12).

A store that was stolen and edited, or lost events in the middle, shows: the cloud
recomputes each event's hash from what it received and checks it against the next
event's `prev_hash`. The hash is over the event exactly as the link sends it, so
either side computes it from its own copy:

    hash(e) = SHA-256( "smartlock-journal-v1" LF canonical(e) ), lower-case hex

where `canonical(e)` is the JSON object with exactly the keys `seq`, `at` (a float),
`kind`, `user_no`, `method`, `source`, `details` (the wire details, `wire_details`)
and `prev_hash` (null for events written before the chain existed), with sorted
keys, separators `,` `:`, ASCII only, no NaN (the link's `codec.canonical`). The
first event of a store has `prev_hash` = 64 zeros (`GENESIS`); the chain runs across
a factory reset (D-RESET keeps the journal's numbering, and its chain). On the cloud
this is `smartlock.link.schemas.event_hash(Event)`.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping
from typing import Any

GENESIS = "0" * 64
DOMAIN = b"smartlock-journal-v1\n"
MAX_DETAILS = 16

# Keys an event's details may never carry on the wire (D-PRIV, D-USER-7); `code`
# stays allowed: the core uses it for the ErrorCode of a refusal.
_SECRET_KEY = re.compile(
    r"^(.*_)?(password|passwd|pin|digits|secret|token|key|lock_key|verification_code"
    r"|embedding|embeddings|template|templates|face_data|image|photo)$",
    re.IGNORECASE,
)


def is_secret_key(name: str) -> bool:
    """True for detail keys that could carry a secret or face data (D-PRIV)."""
    return bool(_SECRET_KEY.match(name))


def wire_details(details: Mapping[str, Any]) -> dict[str, Any]:
    """An event's details as the link sends them: at most 16, scalar values (others
    as JSON text), strings cut to 256, secret-looking keys dropped, no inf/NaN.
    """
    out: dict[str, Any] = {}
    for key, value in list(details.items())[:MAX_DETAILS]:
        name = str(key).lower()[:64]
        if is_secret_key(name) or not name[:1].isalpha():
            continue
        if isinstance(value, float) and not math.isfinite(value):
            out[name] = str(value)  # JSON cannot carry it; one odd value never blocks the journal
        elif value is None or isinstance(value, bool | int | float):
            out[name] = value
        elif isinstance(value, str):
            out[name] = value[:256]
        else:
            out[name] = json.dumps(value, default=str, sort_keys=True)[:256]
    return out


def event_hash(wire: Mapping[str, Any]) -> str:
    """The chain hash of one event given as its wire object (see the module doc)."""
    body = {
        "seq": wire["seq"],
        "at": float(wire["at"]),
        "kind": wire["kind"],
        "user_no": wire.get("user_no"),
        "method": wire.get("method"),
        "source": wire.get("source"),
        "details": dict(wire.get("details") or {}),
        "prev_hash": wire.get("prev_hash"),
    }
    text = json.dumps(
        body, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    )
    return hashlib.sha256(DOMAIN + text.encode("ascii")).hexdigest()
