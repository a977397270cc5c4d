"""Users and credentials: pure operations on `DurableState` that check the D-USER rules.

Each operation returns a new state or raises `Refused` / `InputError` and leaves the
old one as it was. Passwords are kept only as HMAC-SHA256 of the digits under the
per-lock secret (D-USER-7); `PinIndex` finds a password inside a virtual entry
(D-KEY-VIRTUAL) by hashing every 6..10-digit run and looking it up in a dict.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence

from smartlock.credentials import PIN_MAX, PIN_MIN, VIRTUAL_MAX, is_pin
from smartlock.device.core.ports import FaceTemplate
from smartlock.device.core.records import (
    MAX_TEMPLATES,
    Credential,
    DurableState,
    Schedule,
    User,
)
from smartlock.errors import ErrorCode, InputError, Refused
from smartlock.vocab import CredentialType, UserType


def pin_hash(secret: bytes, digits: str) -> bytes:
    """The keyed hash a password is stored as (never the digits themselves)."""
    return hmac.digest(secret, digits.encode("ascii"), "sha256")


def check_pin_digits(digits: str) -> None:
    if not is_pin(digits):
        raise InputError(
            f"a password has {PIN_MIN}-{PIN_MAX} digits, got {len(digits)} characters",
            ErrorCode.BAD_PASSWORD,
        )


class PinIndex:
    """Hash -> credential id for every PIN credential, rebuilt when credentials change."""

    __slots__ = ("by_hash", "secret")

    def __init__(self, state: DurableState) -> None:
        self.secret = state.secret
        self.by_hash: dict[bytes, int] = {
            c.secret_hash: c.cred_id
            for c in state.credentials.values()
            if c.cred_type is CredentialType.PIN and c.secret_hash is not None
        }

    def find_exact(self, digits: str) -> int | None:
        return self.by_hash.get(pin_hash(self.secret, digits))

    def find_virtual(self, entry: str) -> int | None:
        """The credential whose password is a contiguous run of `entry` (earliest, longest)."""
        if not entry.isdigit() or len(entry) > VIRTUAL_MAX or not self.by_hash:
            return None
        data = entry.encode("ascii")
        lookup, secret = self.by_hash.get, self.secret
        for start in range(len(data) - PIN_MIN + 1):
            for length in range(min(PIN_MAX, len(data) - start), PIN_MIN - 1, -1):
                found = lookup(hmac.digest(secret, data[start : start + length], "sha256"))
                if found is not None:
                    return found
        return None


def _user(state: DurableState, user_no: int) -> User:
    user = state.users.get(user_no)
    if user is None:
        raise Refused(f"no user {user_no:03d}", ErrorCode.UNKNOWN_USER)
    return user


def add_user(
    state: DurableState, user_type: UserType, schedules: Sequence[Schedule] = ()
) -> tuple[DurableState, int]:
    """Create a user with the lowest free number (D-USER-1)."""
    number = state.free_user_number()
    if number is None:
        raise Refused("all 50 user numbers are taken", ErrorCode.USER_LIMIT)
    user = User(number=number, user_type=user_type, schedules=tuple(schedules))
    return state.replace(users={**state.users, number: user}), number


def _new_credential(state: DurableState, cred: Credential) -> DurableState:
    return state.replace(
        credentials={**state.credentials, cred.cred_id: cred}, next_cred_id=cred.cred_id + 1
    )


def add_pin(
    state: DurableState, user_no: int, digits: str, *, duress: bool = False
) -> tuple[DurableState, int]:
    """Give a user a password (or a duress password): D-USER-3, D-USER-4, D-DURESS."""
    _user(state, user_no)
    check_pin_digits(digits)
    if any(
        c.cred_type is CredentialType.PIN and c.duress == duress for c in state.creds_of(user_no)
    ):
        raise Refused(f"user {user_no:03d} already has that password", ErrorCode.HAS_PASSWORD)
    digest = pin_hash(state.secret, digits)
    if any(c.secret_hash == digest for c in state.credentials.values()):
        raise Refused("that password is already in use", ErrorCode.DUPLICATE_PASSWORD)
    cred = Credential(state.next_cred_id, user_no, CredentialType.PIN, duress, digest)
    return _new_credential(state, cred), cred.cred_id


def add_face(
    state: DurableState,
    user_no: int,
    embeddings: Sequence[tuple[tuple[float, ...], str]],
    *,
    duress: bool = False,
) -> tuple[DurableState, int]:
    """Store an enrolled face (one template per pose) as one credential (D-USER-3)."""
    _user(state, user_no)
    have = sum(len(state.faces.get(c.cred_id, ())) for c in state.creds_of(user_no))
    if have + len(embeddings) > MAX_TEMPLATES:
        raise Refused(f"user {user_no:03d} has no room for more faces", ErrorCode.TEMPLATE_LIMIT)
    cred = Credential(state.next_cred_id, user_no, CredentialType.FACE, duress)
    templates = tuple(FaceTemplate(user_no, emb, pose, duress) for emb, pose in embeddings)
    state = _new_credential(state, cred)
    return state.replace(faces={**state.faces, cred.cred_id: templates}), cred.cred_id


def add_fingerprint(
    state: DurableState, user_no: int, *, duress: bool = False
) -> tuple[DurableState, int]:
    """Record a user's fingerprint (the template is in the module): D-FINGER-1."""
    _user(state, user_no)
    if any(
        c.cred_type is CredentialType.FINGERPRINT and c.duress == duress
        for c in state.creds_of(user_no)
    ):
        raise Refused(f"user {user_no:03d} already has that fingerprint", ErrorCode.HAS_FINGERPRINT)
    cred = Credential(state.next_cred_id, user_no, CredentialType.FINGERPRINT, duress)
    return _new_credential(state, cred), cred.cred_id


def delete_credential(state: DurableState, cred_id: int) -> DurableState:
    """Remove one credential; the last master's password stays (D-USER-6)."""
    cred = state.credentials.get(cred_id)
    if cred is None:
        raise Refused(f"no credential {cred_id}", ErrorCode.UNKNOWN_CREDENTIAL)
    masters = state.masters()
    if cred.cred_type is CredentialType.PIN and not cred.duress and masters == [cred.user_no]:
        raise Refused("the last master's password cannot be deleted", ErrorCode.LAST_MASTER)
    credentials = {k: v for k, v in state.credentials.items() if k != cred_id}
    faces = {k: v for k, v in state.faces.items() if k != cred_id}
    return state.replace(credentials=credentials, faces=faces)


def deregister(
    state: DurableState, user_no: int, *, from_keypad: bool, logged_in: int | None = None
) -> DurableState:
    """Remove a user and all their credentials (D-USER-6)."""
    user = _user(state, user_no)
    if logged_in == user_no:
        raise Refused("a logged-in user cannot deregister themself", ErrorCode.SELF_DEREGISTER)
    if user.is_master and from_keypad:
        raise Refused(
            "master users cannot be deregistered from the keypad", ErrorCode.MASTER_FROM_KEYPAD
        )
    if user.is_master and len(state.masters()) == 1:
        raise Refused("the last master cannot be deleted", ErrorCode.LAST_MASTER)
    gone = {c.cred_id for c in state.creds_of(user_no)}
    return state.replace(
        users={k: v for k, v in state.users.items() if k != user_no},
        credentials={k: v for k, v in state.credentials.items() if k not in gone},
        faces={k: v for k, v in state.faces.items() if k not in gone},
    )


# What the menu's "delete face / password / fingerprint / duress" items remove.
_DELETE_KINDS = {
    "face": CredentialType.FACE,
    "password": CredentialType.PIN,
    "fingerprint": CredentialType.FINGERPRINT,
}


def deletable(state: DurableState, user_no: int, kind: str) -> tuple[int, ...]:
    """The credential ids of `user_no` that the menu's delete item `kind` removes."""
    creds = state.creds_of(user_no)
    if kind == "duress":
        return tuple(c.cred_id for c in creds if c.duress)
    return tuple(c.cred_id for c in creds if c.cred_type is _DELETE_KINDS[kind] and not c.duress)


def has_pin(state: DurableState, user_no: int, duress: bool) -> bool:
    return any(
        c.cred_type is CredentialType.PIN and c.duress == duress for c in state.creds_of(user_no)
    )


def set_user(state: DurableState, user: User) -> DurableState:
    _user(state, user.number)
    return state.replace(users={**state.users, user.number: user})
