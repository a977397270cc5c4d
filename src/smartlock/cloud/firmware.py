"""Firmware updates, cloud side (A-OTA): publish signed releases, offer, start.

* **Publish** (`publish_release`, the `smartlock firmware publish` command): the
  release's Ed25519 signature must check with the configured vendor public key
  (`Settings.firmware_vendor_key`), else nothing is stored (`bad_signature`,
  `malformed_release`, `vendor_key_missing`). One release per (model, version).
* **Offer** (`offer_for`): the newest release of the lock's model whose version is
  strictly greater (PEP 440 order, so 0.10.0 > 0.9.0) than the version the lock last
  reported. Locks do not report a model yet: every lock is `DEFAULT_MODEL`.
* **Start** (`start_update`): sends the release, exactly as signed, in a signed
  `firmware_update` command (nonce + expiry + HMAC, like every command). The lock
  checks the signature again with its own copy of the vendor key, so the cloud is not
  trusted with what runs on the lock: it can only offer what the vendor signed.
* **State** (`update_state`, A-OTA-STATUS): the last attempt, settled from what the
  lock reports about it (`StateReport.firmware_update`: bytes written, trial,
  installed, rolled back with the reason, refused), its command's answer and the
  version the lock reports afterwards. An update the lock reports that the app did not
  start (Home Assistant's install button) shows as well.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from packaging.version import InvalidVersion, Version
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from smartlock.cloud import lockops
from smartlock.cloud.crud.common import commit_or_conflict
from smartlock.cloud.errors import CloudError, Conflict
from smartlock.cloud.models import Command, CommandStatus, Device
from smartlock.cloud.models_firmware import FirmwareRelease, FirmwareUpdate
from smartlock.cloud.services import Services
from smartlock.errors import ErrorCode
from smartlock.link import firmware as fw

ACTION = "firmware_update"


class ReleasePublic(BaseModel):
    model_config = {"from_attributes": True}

    id: int
    model: str
    version: str
    sha256: str
    size: int
    notes: str
    published_at: dt.datetime


class UpdatePublic(BaseModel):
    version: str
    from_version: str
    # installing: sent / being written / on trial (see stage); installed: the lock runs
    # it; rolled_back: it booted but failed its trial, the lock runs from_version again
    # (reason: self_test_failed, cloud_unreachable, not_confirmed, bad_image);
    # refused: the lock (or the cloud) said no, see reason; offline: not delivered.
    status: str
    reason: str | None
    command_id: str
    started_at: dt.datetime
    # A-OTA-STATUS, from the lock's report: writing / verifying / trial / ...; bytes
    # written to the inactive slot of `size`.
    stage: str | None = None
    written: int | None = None
    size: int | None = None


class FirmwarePublic(BaseModel):
    current: str
    available: ReleasePublic | None
    update: UpdatePublic | None


# ---------------------------------------------------------------------- publish


# The manifest's fields that the release row lists in columns of their own.
_LISTED = {"model", "version", "sha256", "size", "url", "notes"}


def publish_release(session: Session, release: Any, *, vendor_key: str) -> FirmwareRelease:
    """Verify and store a signed release; CloudError (422/409) if it is not acceptable."""
    if not vendor_key:
        raise CloudError(
            "no firmware vendor key is configured (SMARTLOCK_FIRMWARE_VENDOR_KEY)",
            code="vendor_key_missing",
            status=422,
        )
    try:
        manifest = fw.verify_release(vendor_key, release)
    except fw.FirmwareError as exc:
        raise CloudError(str(exc), code=exc.code.value, status=422) from None
    except ValueError as exc:  # the configured key itself is unusable
        raise CloudError(f"vendor key: {exc}", code="vendor_key_missing", status=422) from None
    signed = release if isinstance(release, fw.SignedRelease) else fw.parse_release(release)
    row = FirmwareRelease(
        **manifest.model_dump(include=_LISTED),
        manifest=manifest.model_dump(mode="json"),
        signature=signed.signature,
    )
    session.add(row)
    taken = f"{manifest.model} {manifest.version} is already published"
    commit_or_conflict(session, Conflict(taken, code="release_exists"))
    return row


def releases(session: Session) -> list[FirmwareRelease]:
    return list(session.scalars(select(FirmwareRelease).order_by(FirmwareRelease.id)))


# ------------------------------------------------------------------------ offer


def _key(version: str) -> Version | None:
    try:
        return Version(version)
    except InvalidVersion:
        return None


class OfferTable:
    """Which release the cloud offers a lock, by the version it runs.

    Built from one read of the releases; a fleet of 10,000 locks runs a handful of
    versions, so the offer loop asks this per version, not the database per lock.
    """

    def __init__(self, rows: list[FirmwareRelease]) -> None:
        self._rows = rows
        self._recalled = {v for row in rows for v in _downgrades(row)}
        self._memo: dict[str, FirmwareRelease | None] = {}

    def for_version(self, running: str) -> FirmwareRelease | None:
        """The newest release newer than `running`, or None.

        A version some release names in `downgrade_from` is recalled
        (D-OTA-DOWNGRADE): it is never offered, and a lock that runs it is offered the
        newest newer release that is not recalled, else the vendor's signed downgrade
        from it.
        """
        if running not in self._memo:
            self._memo[running] = self._choose(running)
        return self._memo[running]

    def _choose(self, running: str) -> FirmwareRelease | None:
        best: tuple[Version, FirmwareRelease] | None = None
        for row in self._rows:
            version = _key(row.version)
            if version is None or row.version in self._recalled:
                continue
            if not fw.is_newer(row.version, running):
                continue
            if best is None or version > best[0]:
                best = (version, row)
        if best is None and running in self._recalled:
            back = [r for r in self._rows if running in _downgrades(r) and _key(r.version)]
            return max(back, key=lambda r: _key(r.version) or Version("0"), default=None)
        return None if best is None else best[1]


def offer_table(session: Session) -> OfferTable:
    rows = session.scalars(select(FirmwareRelease).where(FirmwareRelease.model == fw.DEFAULT_MODEL))
    return OfferTable(list(rows))


def offer_for(session: Session, device: Device) -> FirmwareRelease | None:
    """The release offered to `device` (see `OfferTable.for_version`)."""
    return offer_table(session).for_version(device.firmware)


def _downgrades(row: FirmwareRelease) -> list[str]:
    names = row.manifest.get("downgrade_from") if isinstance(row.manifest, dict) else None
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def _attempt(session: Session, device_id: str) -> FirmwareUpdate | None:
    return session.scalar(
        select(FirmwareUpdate)
        .where(FirmwareUpdate.device_id == device_id)
        .order_by(FirmwareUpdate.created_at.desc(), FirmwareUpdate.id.desc())
        .limit(1)
    )


def update_state(session: Session, device: Device) -> FirmwarePublic:
    """What the app shows: running version, the offer, the last attempt."""
    offer = offer_for(session, device)
    attempt = _attempt(session, device.id)
    report = _reported(device)
    update = None
    if attempt is not None:
        release = session.get(FirmwareRelease, attempt.release_id)
        command = session.get(Command, attempt.command_id)
        if release is not None and command is not None:
            # The lock knows the command by its id (`wire.py` sends it as request_id).
            ids = (command.id, command.request_id)
            mine = report if report and report.get("request_id") in ids else None
            status, reason = _status(command, device, release.version, mine)
            update = UpdatePublic(
                version=release.version,
                from_version=attempt.from_version,
                status=status,
                reason=reason,
                command_id=command.id,
                started_at=attempt.created_at,
                **_progress(mine),
            )
            if mine is None and report is not None and report.get("stage") in _IN_FLIGHT:
                update = _from_report(report, device)  # one the app did not start (HA)
    elif report is not None:
        update = _from_report(report, device)
    return FirmwarePublic(
        current=device.firmware,
        available=None if offer is None else ReleasePublic.model_validate(offer),
        update=update,
    )


_IN_FLIGHT = {"writing", "verifying", "trial"}
_SETTLED = {"installed": "installed", "rolled_back": "rolled_back", "refused": "refused"}


def _reported(device: Device) -> dict[str, Any] | None:
    """The lock's own account of its current or last update (A-OTA-STATUS)."""
    state = device.state if isinstance(device.state, dict) else {}
    report = state.get("firmware_update")
    return report if isinstance(report, dict) and isinstance(report.get("version"), str) else None


def _progress(report: dict[str, Any] | None) -> dict[str, Any]:
    if report is None:
        return {}
    return {
        "stage": report.get("stage"),
        "written": report.get("written"),
        "size": report.get("size"),
    }


def _from_report(report: dict[str, Any], device: Device) -> UpdatePublic:
    stage = str(report.get("stage"))
    return UpdatePublic(
        version=str(report["version"]),
        from_version=str(report.get("from_version") or device.firmware),
        status=_SETTLED.get(stage, "installing"),
        reason=report.get("reason"),
        command_id="",
        started_at=device.last_seen_at or dt.datetime.now(dt.UTC),
        **_progress(report),
    )


def _status(
    command: Command, device: Device, target: str, report: dict[str, Any] | None
) -> tuple[str, str | None]:
    # What the lock reports wins over the command's answer: over a slow link the
    # install can outlast the command's wait (then "offline", no_answer) and still
    # succeed or roll back; the app must then say so, not offline.
    if report is not None:
        stage = report.get("stage")
        if stage in _SETTLED:
            return _SETTLED[str(stage)], report.get("reason")
        if stage in _IN_FLIGHT:
            return "installing", None
    target_v, current_v = _key(target), _key(device.firmware)
    if target_v is not None and current_v is not None and current_v >= target_v:
        return "installed", None
    if command.reason == ErrorCode.ROLLED_BACK.value:
        return "rolled_back", command.reason
    if command.status == CommandStatus.REFUSED:
        return "refused", command.reason
    if command.status == CommandStatus.OFFLINE:
        return "offline", command.reason
    return "installing", command.reason


# ------------------------------------------------------------------------ start


async def start_update(
    services: Services, session: Session, *, device: Device, account_id: int, request_id: str
) -> FirmwarePublic:
    """Send the offered release to the lock and wait for its answer (A-OTA)."""
    existing = session.scalar(
        select(Command).where(Command.device_id == device.id, Command.request_id == request_id)
    )
    if existing is not None and existing.action != ACTION:
        raise CloudError("request_id already used", code="request_id_reused", status=409)
    if existing is None:
        offer = offer_for(session, device)
        if offer is None:
            raise Conflict("the lock runs the newest firmware", code="no_update_available")
        release = {"manifest": offer.manifest, "signature": offer.signature}
        from_version = device.firmware
        command = await lockops.run_command(
            services,
            device_id=device.id,
            account_id=account_id,
            request_id=request_id,
            action=ACTION,
            params={"release": release},
        )
        with services.sessionmaker() as s:
            if s.scalar(select(FirmwareUpdate).where(FirmwareUpdate.command_id == command.id)):
                pass  # a concurrent retry recorded it
            else:
                s.add(
                    FirmwareUpdate(
                        device_id=device.id,
                        release_id=offer.id,
                        command_id=command.id,
                        account_id=account_id,
                        from_version=from_version,
                    )
                )
                s.commit()
    else:
        await lockops.wait_for_command(services, command_id=existing.id)
    session.expire_all()
    fresh = session.get(Device, device.id)
    assert fresh is not None
    return update_state(session, fresh)
