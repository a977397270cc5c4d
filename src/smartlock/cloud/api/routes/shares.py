"""Sharing a lock with other accounts (A-SHARE): admin, member, viewer."""

from __future__ import annotations

from fastapi import APIRouter, status

from smartlock.cloud import crud
from smartlock.cloud.api.deps import CurrentUser, SessionDep
from smartlock.cloud.authz import Capability, authorize
from smartlock.cloud.errors import NotFound
from smartlock.cloud.models import Account, Membership, Role
from smartlock.cloud.schemas import (
    Message,
    ShareCreate,
    SharePublic,
    SharesPublic,
    ShareUpdate,
    from_row,
)

router = APIRouter(prefix="/devices/{device_id}/shares", tags=["sharing"])


def _public(membership: Membership, account: Account) -> SharePublic:
    return from_row(SharePublic, membership, account_id=account.id, email=account.email)


@router.get("")
def list_shares(device_id: str, account: CurrentUser, session: SessionDep) -> SharesPublic:
    authorize(session, account=account, device_id=device_id, capability=Capability.MANAGE)
    rows = crud.list_shares(session, device_id=device_id)
    return SharesPublic(data=[_public(m, a) for m, a in rows], count=len(rows))


@router.post("", status_code=status.HTTP_201_CREATED)
def add_share(
    device_id: str, body: ShareCreate, account: CurrentUser, session: SessionDep
) -> SharePublic:
    access = authorize(session, account=account, device_id=device_id, capability=Capability.MANAGE)
    # Only the owner hands out admin rights.
    if body.role == Role.ADMIN and access.role != Role.OWNER:
        authorize(session, account=account, device_id=device_id, capability=Capability.OWN)
    invitee = crud.get_account_by_email(session, email=body.email)
    if invitee is None:
        raise NotFound("no account with this email", code="account_not_found")
    membership = crud.add_share(
        session,
        device=access.device,
        account=invitee,
        role=body.role,
        may_remote_unlock=body.may_remote_unlock,
    )
    return _public(membership, invitee)


@router.patch("/{account_id}")
def update_share(
    device_id: str, account_id: int, body: ShareUpdate, account: CurrentUser, session: SessionDep
) -> SharePublic:
    access = authorize(session, account=account, device_id=device_id, capability=Capability.MANAGE)
    membership = crud.get_share(session, device_id=device_id, account_id=account_id)
    if membership is None:
        raise NotFound("the lock is not shared with this account", code="share_not_found")
    if access.role != Role.OWNER and Role.ADMIN in (membership.role, body.role):
        authorize(session, account=account, device_id=device_id, capability=Capability.OWN)
    membership = crud.update_share(
        session, membership=membership, role=body.role, may_remote_unlock=body.may_remote_unlock
    )
    invitee = session.get_one(Account, account_id)
    return _public(membership, invitee)


@router.delete("/{account_id}")
def revoke_share(
    device_id: str, account_id: int, account: CurrentUser, session: SessionDep
) -> Message:
    """Revoke a share. Anyone may also leave a lock shared with them."""
    membership = crud.get_share(session, device_id=device_id, account_id=account_id)
    if account_id != account.id or membership is None:
        access = authorize(
            session, account=account, device_id=device_id, capability=Capability.MANAGE
        )
        if membership is None:
            raise NotFound("the lock is not shared with this account", code="share_not_found")
        if membership.role == Role.ADMIN and access.role != Role.OWNER:
            authorize(session, account=account, device_id=device_id, capability=Capability.OWN)
    assert membership is not None
    crud.remove_share(session, membership=membership)
    return Message(message="share revoked")
