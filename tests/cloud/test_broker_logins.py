"""Broker logins kept in the database for a broker that authenticates from SQL (EMQX
at fleet scale, deploy/emqx): added at pairing, gone at unbinding, only as a hash."""

from __future__ import annotations

from sqlalchemy import select

from smartlock.cloud.lockops import set_broker_user
from smartlock.cloud.models import BrokerLogin
from smartlock.cloud.services import Services
from smartlock.link.broker_accounts import verify_record


def test_lock_login_is_stored_hashed_and_removed_on_unbind_D_PAIR(services: Services) -> None:
    services.settings.broker_logins_in_database = True
    set_broker_user(services, "SLEMQX0001", "correct horse battery staple")
    with services.sessionmaker() as s:
        row = s.scalar(select(BrokerLogin).where(BrokerLogin.username == "SLEMQX0001"))
        assert row is not None
        assert "correct horse" not in row.password_hash + row.salt
        assert verify_record("correct horse battery staple", row.password_hash, row.salt)
        assert not verify_record("wrong", row.password_hash, row.salt)
    set_broker_user(services, "SLEMQX0001", "a new password after re-pairing")
    with services.sessionmaker() as s:
        rows = s.scalars(select(BrokerLogin)).all()
        assert len(rows) == 1 and verify_record(
            "a new password after re-pairing", rows[0].password_hash, rows[0].salt
        )
    set_broker_user(services, "SLEMQX0001", None)
    with services.sessionmaker() as s:
        assert s.scalars(select(BrokerLogin)).all() == []


def test_logins_stay_out_of_the_database_unless_asked(services: Services) -> None:
    set_broker_user(services, "SLEMQX0002", "some password")
    with services.sessionmaker() as s:
        assert s.scalars(select(BrokerLogin)).all() == []
