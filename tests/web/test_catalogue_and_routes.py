"""Without a browser: both languages have every string the pages and scripts use,
every setting descriptor has a label (A-SETTINGS), and the page routes refuse what
they must (A-ACCOUNT redirects, no open redirect, no file outside static/).

Rules proved here (named in the tests' names): D-FACE-SENS, D-MENU-2.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from smartlock.cloud import create_app
from smartlock.cloud.core.config import Settings
from smartlock.cloud.notify.kinds import NotifyKind
from smartlock.device.core.settings import DESCRIPTORS
from smartlock.face.calibration import MEASURED
from smartlock.vocab import EventKind, Method, Mode
from smartlock.web import create_router, i18n
from smartlock.web.pages import safe_next

WEB = Path(str(resources.files("smartlock.web")))


def _literal_keys() -> set[str]:
    keys: set[str] = set()
    for html in (WEB / "templates").glob("*.html"):
        keys |= set(re.findall(r"\bt\('([a-z_.0-9]+)'\)", html.read_text()))
    for js in (WEB / "static" / "js").glob("*.js"):
        keys |= set(re.findall(r'\bt\("([a-z_.0-9]+)"\s*[,)]', js.read_text()))
    return keys


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_string_exists_in_each_language_D_MENU_2(lang: str) -> None:
    strings = i18n.catalogue(lang)
    assert set(strings) == set(i18n.catalogue("en"))
    needed = _literal_keys()
    needed |= {f"kind.{k.value}" for k in EventKind} | {f"method.{m.value}" for m in Method}
    needed |= {f"mode.{m.value}" for m in Mode} | {f"notify.{k.value}" for k in NotifyKind}
    for d in DESCRIPTORS:
        needed |= {f"setting.{d.name}", f"setting.{d.name}.help"}
        needed |= {f"choice.{c}" for c in d.choices}
    assert len(needed) > 200
    assert sorted(needed - set(strings)) == []
    assert all(strings[k] or k.endswith(".help") for k in strings)


def test_sensitivity_help_carries_the_measured_far_and_frr_D_FACE_SENS() -> None:
    """The app and docs/face.md quote what the bench measured (calibration.MEASURED)."""
    face = (Path(__file__).parents[2] / "docs" / "face.md").read_text()
    # The help says it in everyday words; the figures sit under "The measured figures".
    en = i18n.catalogue("en")["setting.sensitivity.figures"]
    zh = i18n.catalogue("zh")["setting.sensitivity.figures"]
    for far, frr in MEASURED.values():
        far_text = f"{far:.1e}".replace("e-0", "e-")
        assert f"FAR {far_text}" in en and f"FRR {frr:.1%}".replace("%", " %") in en
        assert f"误识率 {far_text}" in zh and f"拒识率 {frr:.1%}" in zh
        assert far_text in face and f"{frr:.1%}".replace("%", " %") in face


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(
        Settings(data_dir=tmp_path / "data"), extra_routers=[create_router()], with_link=False
    )
    with TestClient(app) as c:
        yield c


def test_pages_need_a_session_and_keep_where_you_were_going_A_ACCOUNT(
    client: TestClient,
) -> None:
    r = client.get("/app/devices/abc/records", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/app/signin?next=%2Fapp%2Fdevices%2Fabc%2Frecords"
    r = client.get("/app/signin?next=/app/devices/abc/records")
    assert r.status_code == 200
    assert 'data-next="/app/devices/abc/records"' in r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert client.get("/app/devices/abc/nothing").status_code == 404


@pytest.mark.parametrize(
    "target", ["//evil.example/x", "https://evil.example/", "/app/../etc", "/api/v1/x", None]
)
def test_language_switch_never_redirects_off_the_app(client: TestClient, target: str) -> None:
    assert safe_next(target) == "/app/"
    r = client.get(
        "/app/lang/zh", params={"next": target} if target else {}, follow_redirects=False
    )
    assert r.headers["location"] == "/app/"
    assert "smartlock_lang=zh" in r.headers["set-cookie"]


def test_language_cookie_and_browser_language_pick_the_page_language(client: TestClient) -> None:
    r = client.get("/app/signin", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert '<html lang="zh-CN">' in r.text and "登录" in r.text
    client.cookies.set(i18n.COOKIE, "en")
    r = client.get("/app/signin", headers={"Accept-Language": "zh-CN"})
    assert '<html lang="en">' in r.text and "Sign in" in r.text


@pytest.mark.parametrize(
    "name", ["../pages.py", "..%2Fpages.py", "i18n/../../pages.py", "js/nothing.js", "app.py"]
)
def test_static_serves_only_its_own_files(client: TestClient, name: str) -> None:
    assert client.get(f"/app/static/{name}").status_code == 404
    r = client.get("/app/static/js/app.js")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_catalogues_say_the_password_lengths_the_lock_checks_D_USER_4(lang):
    from smartlock.credentials import PIN_MAX, PIN_MIN

    strings = i18n.catalogue(lang)
    assert f"{PIN_MIN}–{PIN_MAX}" in strings["users.new_password"]
    assert f"{PIN_MIN}–{PIN_MAX}" in strings["temp.code"]
    assert not any("{pin_" in text for text in strings.values())
