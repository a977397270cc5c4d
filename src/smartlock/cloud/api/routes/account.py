"""The signed-in account (A-ACCOUNT)."""

from __future__ import annotations

from fastapi import APIRouter

from smartlock.cloud import crud
from smartlock.cloud.api.deps import AuthDep, CurrentUser, SessionDep, SettingsDep
from smartlock.cloud.schemas import AccountPublic, Message, PasswordChange

router = APIRouter(prefix="/account", tags=["account"])


@router.get("")
def read_me(account: CurrentUser) -> AccountPublic:
    return AccountPublic.model_validate(account)


@router.put("/password")
def change_password(
    body: PasswordChange, auth: AuthDep, session: SessionDep, settings: SettingsDep
) -> Message:
    """Other sessions and tokens end; the one used for this request stays."""
    crud.change_password(
        session,
        account=auth.account,
        current_password=body.current_password,
        new_password=body.new_password,
        keep_token_id=auth.token.id,
        settings=settings,
    )
    return Message(message="password changed")
