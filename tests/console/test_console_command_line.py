"""`smartlock console` through the real entry point, with piped input.

Rules proved here (named in the tests' names): D-LOCKOUT, D-MENU-2.
"""

from __future__ import annotations

import io

from smartlock.cli import main
from smartlock.device.core.prompts import PromptId, render


def run(monkeypatch, capsys, data_dir, script: str, *extra: str) -> str:
    monkeypatch.setattr("sys.stdin", io.StringIO(script))
    assert main(["console", "--data-dir", str(data_dir), *extra]) == 0
    return capsys.readouterr().out


def test_console_command_keeps_the_lock_and_skipped_time_in_the_data_dir_D_LOCKOUT(
    monkeypatch, capsys, tmp_path
):
    script = "1\n#\n123456#\n123456#\n" + "".join(f"{d * 6}#\n" for d in "98765") + "wait 60\n"
    out = run(monkeypatch, capsys, tmp_path, script)
    assert f"data in {tmp_path}" in out and "> 123456#" in out  # piped lines are echoed
    assert render(PromptId.LOCKED_OUT, "en", minutes=3) in out
    assert (tmp_path / "lock.db").exists()
    out = run(monkeypatch, capsys, tmp_path, "1\nquit\n")
    assert render(PromptId.LOCKED_OUT, "en", minutes=2) in out  # the minute waited counts


def test_console_speaks_chinese_with_lang_zh_D_MENU_2(monkeypatch, capsys, tmp_path):
    out = run(monkeypatch, capsys, tmp_path, "1\n", "--lang", "zh")
    assert render(PromptId.ADD_MASTER_FIRST, "zh") in out


def test_default_data_dir_follows_xdg(monkeypatch, tmp_path):
    from smartlock.console_cli import default_data_dir

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_data_dir() == tmp_path / "smartlock"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_data_dir() == tmp_path / ".local" / "share" / "smartlock"
