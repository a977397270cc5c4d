"""Invite someone without an account yet (A-SHARE): a link that, once they signed up
with the invited email, makes the share.

The invitation is a sealed token (the cloud's KeyBox: encrypted and authenticated), not
a database row: nothing to clean up, and it cannot be forged or changed. It names the
lock, the role, the invited email and an expiry (7 days); only an account with that
email can accept it, so a forwarded link is useless to anyone else. Revoking the share
after it was accepted works as for any share.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Annotated, Any

from cryptography.exceptions import InvalidTag
from fastapi import APIRouter, Query, status
from pydantic import BaseModel, StringConstraints

from smartlock.cloud import crud
from smartlock.cloud.api.deps import CurrentUser, ServicesDep, SessionDep
from smartlock.cloud.authz import Capability, authorize
from smartlock.cloud.errors import CloudError, Forbidden
from smartlock.cloud.models import Device, Role, utcnow
from smartlock.cloud.schemas import ShareCreate, Strict

router = APIRouter(tags=["sharing"])
CONTEXT = "share-invitation"
VALID = dt.timedelta(days=7)
Token = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{20,1200}$")]


class InvitationPublic(BaseModel):
    token: str
    link: str
    email: str
    role: Role
    may_remote_unlock: bool
    lock_name: str
    invited_by: str
    expires_at: dt.datetime


class InvitationAccept(Strict):
    token: Token


class InvitationAccepted(BaseModel):
    device_id: str


def _seal(services: Any, payload: dict[str, Any]) -> str:
    sealed = services.key_box.seal(json.dumps(payload).encode(), context=CONTEXT)
    return base64.urlsafe_b64encode(sealed).decode().rstrip("=")


def _open(services: Any, token: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload: dict[str, Any] = json.loads(services.key_box.open(raw, context=CONTEXT))
    except (ValueError, InvalidTag):
        raise CloudError(
            "this invitation is not valid", code="bad_invitation", status=404
        ) from None
    if dt.datetime.fromisoformat(payload["exp"]) <= utcnow():
        raise CloudError("this invitation has expired", code="invitation_expired", status=410)
    return payload


def _public(services: Any, session: Any, token: str, p: dict[str, Any]) -> InvitationPublic:
    device = session.get(Device, p["device_id"])
    if device is None:
        raise CloudError("this invitation is not valid", code="bad_invitation", status=404)
    return InvitationPublic(
        token=token,
        link=f"/app/invite#{token}",
        email=p["email"],
        role=Role(p["role"]),
        may_remote_unlock=bool(p["may_remote_unlock"]),
        lock_name=device.name,
        invited_by=p["by"],
        expires_at=dt.datetime.fromisoformat(p["exp"]),
    )


@router.post("/devices/{device_id}/invitations", status_code=status.HTTP_201_CREATED)
def invite(
    device_id: str,
    body: ShareCreate,
    account: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
) -> InvitationPublic:
    """A link to send; the same rights rules as sharing with an existing account."""
    access = authorize(session, account=account, device_id=device_id, capability=Capability.MANAGE)
    if body.role == Role.ADMIN and access.role != Role.OWNER:
        authorize(session, account=account, device_id=device_id, capability=Capability.OWN)
    if body.role == Role.OWNER:
        raise CloudError("a lock has exactly one owner", code="bad_role", status=422)
    payload = {
        "device_id": device_id,
        "email": str(body.email).lower(),
        "role": body.role.value,
        "may_remote_unlock": body.may_remote_unlock,
        "by": account.email,
        "exp": (utcnow() + VALID).isoformat(),
    }
    token = _seal(services, payload)
    return _public(services, session, token, payload)


@router.get("/invitations/preview")
def preview(
    token: Annotated[str, Query(pattern=r"^[A-Za-z0-9_-]{20,1200}$")],
    session: SessionDep,
    services: ServicesDep,
) -> InvitationPublic:
    """What the link offers, for the page the invitee opens (signed in or not)."""
    return _public(services, session, token, _open(services, token))


@router.post("/invitations/accept")
def accept(
    body: InvitationAccept, account: CurrentUser, session: SessionDep, services: ServicesDep
) -> InvitationAccepted:
    p = _open(services, body.token)
    if account.email.lower() != p["email"]:
        raise Forbidden(
            f"this invitation is for {p['email']}; sign in with that email",
            code="invitation_other_email",
        )
    device = session.get(Device, p["device_id"])
    if device is None:
        raise CloudError("this invitation is not valid", code="bad_invitation", status=404)
    crud.add_share(
        session,
        device=device,
        account=account,
        role=Role(p["role"]),
        may_remote_unlock=bool(p["may_remote_unlock"]),
    )
    return InvitationAccepted(device_id=device.id)
