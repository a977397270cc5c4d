"""Accounts, sign-in with throttling, sessions, bearer tokens, confirmations (A-ACCOUNT)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smartlock.cloud.core import security
from smartlock.cloud.core.config import Settings
from smartlock.cloud.crud.throttle import check_throttle, clear_failures, record_failure
from smartlock.cloud.errors import CloudError, NotAuthenticated
from smartlock.cloud.models import Account, AuthToken, TokenKind, utcnow


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password_policy(password: str, *, settings: Settings, email: str = "") -> None:
    """Long enough, and not common or guessable: zxcvbn (offline, shipped with its
    lists of common passwords, words and names) must rate it at least
    `min_password_score`; `aaaaaaaaaa`, `1234567890`, `password12` all fail.
    """
    if len(password) < settings.min_password_length:
        raise CloudError(
            f"the password needs at least {settings.min_password_length} characters",
            code="weak_password",
            status=422,
        )
    from zxcvbn import zxcvbn

    hints = [email, *email.split("@")[0].replace(".", " ").split()] if email else []
    verdict = zxcvbn(password[:100], user_inputs=hints)  # its cost grows with length
    if int(verdict["score"]) < settings.min_password_score:
        raise CloudError(
            "this password is too common or too easy to guess; try a few unrelated words",
            code="weak_password",
            status=422,
        )


def get_account_by_email(session: Session, *, email: str) -> Account | None:
    return session.scalar(select(Account).where(Account.email == normalise_email(email)))


def create_account(
    session: Session, *, email: str, password: str, settings: Settings
) -> Account | None:
    """The new account, or None when the email has one already.

    The caller answers both the same way (issue 13: `email_taken` told anyone which
    addresses have accounts); the hash is made either way, so timing says nothing.
    """
    email = normalise_email(email)
    check_password_policy(password, settings=settings, email=email)
    account = Account(email=email, password_hash=security.hash_password(password))
    session.add(account)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return None
    return account


def authenticate(
    session: Session, *, email: str, password: str, address: str, settings: Settings
) -> Account:
    """The account for these credentials; failures are throttled per (account,
    address) and per address. Not per account alone: then anyone could lock the owner
    out with five wrong passwords (issue 13); guessing one account from many
    addresses is what the common-password check is for.
    """
    email = normalise_email(email)
    account_key = f"login-account:{email}|{address}"
    address_key = f"login-address:{address}"
    check_throttle(session, key=account_key)
    check_throttle(session, key=address_key)
    account = get_account_by_email(session, email=email)
    if not security.verify_password(password, account.password_hash if account else None):
        window, lock = settings.throttle_window_seconds, settings.throttle_lock_seconds
        record_failure(
            session,
            key=account_key,
            limit=settings.throttle_account_failures,
            window_seconds=window,
            lock_seconds=lock,
        )
        record_failure(
            session,
            key=address_key,
            limit=settings.throttle_address_failures,
            window_seconds=window,
            lock_seconds=lock,
        )
        raise NotAuthenticated("wrong email or password", code="bad_credentials")
    assert account is not None
    clear_failures(session, key=account_key)
    if security.needs_rehash(account.password_hash):
        account.password_hash = security.hash_password(password)
        session.commit()
    return account


def verify_account_password(
    session: Session, *, account: Account, password: str, settings: Settings
) -> None:
    """Re-confirmation with the current password, throttled like a sign-in."""
    key = f"login-account:{account.email}"
    check_throttle(session, key=key)
    if not security.verify_password(password, account.password_hash):
        record_failure(
            session,
            key=key,
            limit=settings.throttle_account_failures,
            window_seconds=settings.throttle_window_seconds,
            lock_seconds=settings.throttle_lock_seconds,
        )
        raise NotAuthenticated("the password is wrong", code="bad_credentials")


def create_token(
    session: Session,
    *,
    account: Account,
    kind: TokenKind,
    lifetime: dt.timedelta,
    name: str = "",
) -> tuple[AuthToken, str]:
    """A new token row and its secret (returned once, stored only as a hash)."""
    secret = security.new_token()
    token = AuthToken(
        account_id=account.id,
        kind=kind,
        token_hash=security.hash_token(secret),
        name=name,
        expires_at=utcnow() + lifetime,
    )
    session.add(token)
    session.commit()
    return token, secret


def resolve_token(
    session: Session, *, secret: str, kind: TokenKind
) -> tuple[Account, AuthToken] | None:
    row = session.execute(
        select(Account, AuthToken)
        .join(AuthToken, AuthToken.account_id == Account.id)
        .where(AuthToken.token_hash == security.hash_token(secret), AuthToken.kind == kind)
    ).first()
    if row is None:
        return None
    account, token = row
    now = utcnow()
    if token.expires_at <= now:
        return None
    # Write the last use at most once a minute, not on every request.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        token.last_used_at = now
        session.commit()
    return account, token


def consume_confirmation(session: Session, *, account: Account, secret: str) -> bool:
    """True once for a fresh confirmation token of this account; it is then spent."""
    found = resolve_token(session, secret=secret, kind=TokenKind.CONFIRM)
    if found is None or found[0].id != account.id:
        return False
    result = session.execute(delete(AuthToken).where(AuthToken.id == found[1].id))
    session.commit()
    # Two concurrent uses: only the one whose delete removed the row wins.
    return bool(getattr(result, "rowcount", 0))


def list_tokens(session: Session, *, account: Account) -> list[AuthToken]:
    return list(
        session.scalars(
            select(AuthToken)
            .where(AuthToken.account_id == account.id, AuthToken.kind == TokenKind.BEARER)
            .order_by(AuthToken.id)
        )
    )


def revoke_token(session: Session, *, account: Account, token_id: int) -> bool:
    result = session.execute(
        delete(AuthToken).where(AuthToken.id == token_id, AuthToken.account_id == account.id)
    )
    session.commit()
    return bool(getattr(result, "rowcount", 0))


def change_password(
    session: Session,
    *,
    account: Account,
    current_password: str,
    new_password: str,
    keep_token_id: int | None,
    settings: Settings,
) -> None:
    """Change the password and end every other session and token of the account."""
    verify_account_password(session, account=account, password=current_password, settings=settings)
    check_password_policy(new_password, settings=settings, email=account.email)
    account.password_hash = security.hash_password(new_password)
    account.password_changed_at = utcnow()
    stmt = delete(AuthToken).where(AuthToken.account_id == account.id)
    if keep_token_id is not None:
        stmt = stmt.where(AuthToken.id != keep_token_id)
    session.execute(stmt)
    session.commit()
