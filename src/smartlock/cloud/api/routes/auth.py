"""Sign up, sign in (cookie session or bearer token), sign out, confirm (A-ACCOUNT)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Response, status

from smartlock.cloud import crud
from smartlock.cloud.api.deps import AuthDep, ClientAddress, SessionDep, SettingsDep
from smartlock.cloud.core.security import csrf_for
from smartlock.cloud.errors import NotFound
from smartlock.cloud.models import TokenKind
from smartlock.cloud.schemas import (
    AccountCreate,
    AccountPublic,
    ConfirmCreate,
    ConfirmPublic,
    Message,
    SessionPublic,
    SignedUp,
    SignIn,
    TokenCreate,
    TokenCreated,
    TokenPublic,
    TokensPublic,
)

router = APIRouter(prefix="/auth", tags=["auth"])
SIGNED_UP = "if this email had no account, it has one now: sign in with that password"


@router.post("/signup", status_code=status.HTTP_201_CREATED)
def sign_up(body: AccountCreate, session: SessionDep, settings: SettingsDep) -> SignedUp:
    """The same answer whether or not the email had an account (issue 13): sign in
    next. An existing account is left as it was (its password is not changed).
    """
    crud.create_account(session, email=body.email, password=body.password, settings=settings)
    return SignedUp(email=crud.normalise_email(body.email), message=SIGNED_UP)


@router.post("/session")
def sign_in(
    body: SignIn,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    address: ClientAddress,
) -> SessionPublic:
    """Web sign-in: an HTTP-only SameSite session cookie plus a readable CSRF cookie."""
    account = crud.authenticate(
        session, email=body.email, password=body.password, address=address, settings=settings
    )
    lifetime = dt.timedelta(days=settings.session_days)
    _, secret = crud.create_token(
        session, account=account, kind=TokenKind.SESSION, lifetime=lifetime
    )
    csrf = csrf_for(secret)
    max_age = int(lifetime.total_seconds())
    for name, value, http_only in (
        (settings.session_cookie, secret, True),
        (settings.csrf_cookie, csrf, False),  # the page reads it for the header
    ):
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path="/",
            secure=settings.cookie_secure,
            httponly=http_only,
            samesite="lax",
        )
    return SessionPublic(account=AccountPublic.model_validate(account), csrf_token=csrf)


@router.post("/logout")
def sign_out(
    auth: AuthDep, response: Response, session: SessionDep, settings: SettingsDep
) -> Message:
    """End the session or revoke the bearer token used for this request."""
    crud.revoke_token(session, account=auth.account, token_id=auth.token.id)
    response.delete_cookie(settings.session_cookie, path="/")
    response.delete_cookie(settings.csrf_cookie, path="/")
    return Message(message="signed out")


@router.post("/tokens", status_code=status.HTTP_201_CREATED)
def create_token(
    body: TokenCreate, session: SessionDep, settings: SettingsDep, address: ClientAddress
) -> TokenCreated:
    """API sign-in: a bearer token, shown once (stored only as a hash)."""
    account = crud.authenticate(
        session, email=body.email, password=body.password, address=address, settings=settings
    )
    token, secret = crud.create_token(
        session,
        account=account,
        kind=TokenKind.BEARER,
        lifetime=dt.timedelta(days=settings.token_days),
        name=body.name,
    )
    return TokenCreated(**TokenPublic.model_validate(token).model_dump(), access_token=secret)


@router.get("/tokens")
def list_tokens(auth: AuthDep, session: SessionDep) -> TokensPublic:
    tokens = crud.list_tokens(session, account=auth.account)
    return TokensPublic(data=[TokenPublic.model_validate(t) for t in tokens], count=len(tokens))


@router.delete("/tokens/{token_id}")
def revoke_token(token_id: int, auth: AuthDep, session: SessionDep) -> Message:
    if not crud.revoke_token(session, account=auth.account, token_id=token_id):
        raise NotFound("no such token")
    return Message(message="token revoked")


@router.post("/confirm", status_code=status.HTTP_201_CREATED)
def confirm(
    body: ConfirmCreate, auth: AuthDep, session: SessionDep, settings: SettingsDep
) -> ConfirmPublic:
    """Re-confirm with the password; the token authorises one remote unlock, briefly."""
    crud.verify_account_password(
        session, account=auth.account, password=body.password, settings=settings
    )
    token, secret = crud.create_token(
        session,
        account=auth.account,
        kind=TokenKind.CONFIRM,
        lifetime=dt.timedelta(seconds=settings.confirm_seconds),
    )
    return ConfirmPublic(confirmation_token=secret, expires_at=token.expires_at)
