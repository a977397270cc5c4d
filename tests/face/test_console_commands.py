"""`face PATH` in the terminal console shows the lock a photo or a clip (D-PRIV safe)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from smartlock.device.console import UsageError
from smartlock.device.core.inputs import FaceSeen, NoFace
from smartlock.face.console_commands import FACE_COMMANDS, face, faces


class _Console:
    """The two things a console command touches: `write` and `runtime.submit`."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.inputs: list[Any] = []
        self.runtime = SimpleNamespace(submit=self.inputs.append)

    def write(self, line: str) -> None:
        self.lines.append(line)


def test_face_command_submits_what_the_camera_saw(camera: Path) -> None:
    console = _Console()
    face(console, [str(camera / "obama.jpg"), str(camera / "two_people.jpg")])  # type: ignore[arg-type]
    assert isinstance(console.inputs[0], FaceSeen) and isinstance(console.inputs[1], NoFace)
    assert "usable face" in console.lines[0] and "more than one face" in console.lines[1]
    assert not any("embedding" in line for line in console.lines)


def test_faces_command_reads_a_folder_in_name_order(camera: Path) -> None:
    console = _Console()
    faces(console, [str(camera / "knn_examples" / "train" / "biden")])  # type: ignore[arg-type]
    assert [type(i) for i in console.inputs] == [FaceSeen, FaceSeen]
    assert console.lines[0].split()[1] == "biden.jpg:"


def test_bad_arguments_do_nothing(tmp_path: Path) -> None:
    console = _Console()
    with pytest.raises(UsageError, match="no such file"):
        face(console, [str(tmp_path / "absent.jpg")])  # type: ignore[arg-type]
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    face(console, [str(broken)])  # type: ignore[arg-type]
    assert console.inputs == [] and "nothing was shown" in console.lines[0]
    assert {c.name for c in FACE_COMMANDS} == {"face", "faces"}
