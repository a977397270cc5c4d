"""One exception root, one code system, no work at import time (issue 18)."""

from __future__ import annotations

import ast
import builtins
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from smartlock.errors import ErrorCode, Fault, SmartlockError

SRC = Path(__file__).resolve().parents[1] / "src"
BUILTIN_ERRORS = {
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
}


def _module(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _base_names(node: ast.ClassDef) -> set[str]:
    names = set()
    for base in node.bases:
        if isinstance(base, ast.Name):
            names.add(base.id)
        elif isinstance(base, ast.Attribute):
            names.add(base.attr)
    return names


def _exception_classes() -> list[tuple[str, str]]:
    """(module, class) of every class in src/smartlock deriving from an exception,
    found from the source so no module has to be imported to be looked at.
    """
    classes = [
        (_module(path), node)
        for path in sorted((SRC / "smartlock").rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef)
    ]
    errors = set(BUILTIN_ERRORS)
    found: dict[tuple[str, str], None] = {}
    grew = True
    while grew:  # a class is an exception when one of its bases is (any depth)
        grew = False
        for module, node in classes:
            if (module, node.name) not in found and _base_names(node) & errors:
                found[(module, node.name)] = None
                errors.add(node.name)
                grew = True
    return list(found)


EXCEPTIONS = _exception_classes()


def test_the_scan_finds_the_known_roots() -> None:
    names = {name for _, name in EXCEPTIONS}
    assert {"SmartlockError", "LockError", "LinkError", "FaceError", "HardwareError"} <= names
    assert {"CloudError", "FirmwareError", "BootError", "UsageError", "PacketError"} <= names


@pytest.mark.parametrize(("module", "name"), EXCEPTIONS, ids=[f"{m}.{n}" for m, n in EXCEPTIONS])
def test_every_exception_derives_from_the_one_root_with_a_code_and_a_fault(
    module: str, name: str
) -> None:
    cls = getattr(importlib.import_module(module), name)
    assert issubclass(cls, SmartlockError), f"{module}.{name} is not a SmartlockError"
    assert isinstance(cls.code, ErrorCode)
    assert isinstance(cls.fault, Fault)


def test_codes_are_unique_by_value() -> None:
    assert len(ErrorCode.__members__) == len(list(ErrorCode)), "an alias hides a code"
    assert len({c.value for c in ErrorCode}) == len(list(ErrorCode))


# Wire values from before the merge (the lock's results, the link's Reason, firmware's
# Refusal, the offline codes' Reason): a protocol, so they must never change.
WIRE = {
    "DUPLICATE_REQUEST": "duplicate_request",  # was link Reason.REPLAYED
    "EXPIRED_REQUEST": "expired_request",  # was link Reason.EXPIRED
    "BUSY": "busy",
    "MALFORMED": "malformed",
    "TOO_LARGE": "too_large",
    "BAD_SIGNATURE": "bad_signature",
    "NOT_YET_VALID": "not_yet_valid",
    "PAIRING_FAILED": "pairing_failed",
    "MALFORMED_RELEASE": "malformed_release",  # was firmware Refusal.MALFORMED
    "UPDATES_NOT_CONFIGURED": "updates_not_configured",  # was Refusal.NOT_CONFIGURED
    "UPDATE_IN_PROGRESS": "update_in_progress",  # was Refusal.BUSY
    "ROLLED_BACK": "rolled_back",
    "EXPIRED": "expired",  # was offline codes Reason.EXPIRED
    "FORGED": "forged",
    "OUTSIDE_HOURS": "outside_hours",
    "STORE_FULL": "store_full",
    "NO_FINGERPRINT_SENSOR": "no_fingerprint_sensor",
}


def test_wire_values_are_kept() -> None:
    assert {name: ErrorCode[name].value for name in WIRE} == WIRE


def test_home_assistant_names_only_error_codes() -> None:
    from smartlock.link.homeassistant import REFUSAL_TYPES

    assert set(REFUSAL_TYPES) - {c.value for c in ErrorCode} == {"other"}


def _literal_codes() -> list[tuple[str, str]]:
    """Every `code="..."` keyword in the source (CloudError raise sites and the like)."""
    found = []
    for path in sorted((SRC / "smartlock").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.keyword)
                and node.arg == "code"
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                found.append((_module(path), node.value.value))
    return found


def test_every_literal_code_is_an_error_code() -> None:
    codes = _literal_codes()
    assert codes, "the scan found no code= keyword at all"
    values = {c.value for c in ErrorCode}
    assert [(m, c) for m, c in codes if c not in values] == []


def test_a_cloud_error_turns_text_into_its_code() -> None:
    from smartlock.cloud.errors import CloudError, Conflict

    assert Conflict("taken", code="already_bound").code is ErrorCode.ALREADY_BOUND
    # A typo in the cloud's own code fails loudly (it once turned "not_in_pairing_mode"
    # into "bad_request" unseen); a lock's word goes through ErrorCode.parse.
    with pytest.raises(ValueError):
        Conflict("no", code="not_a_code")
    assert ErrorCode.parse("some_future_reason", ErrorCode.REFUSED) is ErrorCode.REFUSED
    assert CloudError("bad").code is ErrorCode.BAD_REQUEST
    assert CloudError("bad").fault is Fault.CALLER


def test_messages_keep_their_shape() -> None:
    from smartlock.errors import Refused
    from smartlock.link.errors import AuthError
    from smartlock.link.firmware import FirmwareError

    assert str(Refused("no user 007", ErrorCode.UNKNOWN_USER)) == "unknown_user: no user 007"
    assert str(AuthError("replayed", ErrorCode.DUPLICATE_REQUEST)) == "duplicate_request: replayed"
    assert str(FirmwareError("x", ErrorCode.DOWNGRADE)) == "downgrade: x"
    assert Refused("no", ErrorCode.USER_LIMIT).fault is Fault.RULE
    assert AuthError("x").fault is Fault.PEER


_IMPORT_ONLY = """
import argon2
calls = []
real = argon2.PasswordHasher.hash
argon2.PasswordHasher.hash = lambda self, *a, **k: calls.append(1) or real(self, *a, **k)
import smartlock.cloud.core.security as security
assert security._passwords is None, "a hasher was built at import"
assert calls == [], "argon2 hashed at import"
assert security.verify_password("x", None) is False  # first use: the dummy hash now
assert len(calls) == 1 and security.passwords().fast
"""


def test_importing_security_does_no_work() -> None:
    env = {"PYTHONPATH": str(SRC), "SMARTLOCK_INSECURE_FAST_HASHING_FOR_TESTS": "1"}
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_ONLY], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


def test_security_reads_no_environment() -> None:
    tree = ast.parse((SRC / "smartlock/cloud/core/security.py").read_text(encoding="utf-8"))
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    attrs = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    assert "os" not in names and not {"environ", "getenv"} & attrs


def test_the_profile_follows_the_settings() -> None:
    from smartlock.cloud.core import security
    from smartlock.cloud.core.config import Settings

    before = security.passwords()
    try:
        slow = security.configure(Settings(insecure_fast_hashing_for_tests=False))
        assert not slow.fast and "m=65536" in slow.hash("pw")  # RFC 9106 low memory
        fast = security.configure(Settings(insecure_fast_hashing_for_tests=True))
        assert fast.fast and fast.verify("pw", fast.hash("pw"))
    finally:
        security.configure(Settings(insecure_fast_hashing_for_tests=before.fast))
