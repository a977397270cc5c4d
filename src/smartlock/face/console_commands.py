"""Console commands that show the lock a photo or a video as if it stood at the door.

`face PATH…` reads each photo (or every 5th frame of a video) with the face engine
and submits the resulting `FaceSeen` / `NoFace` to the lock runtime, so unlocking by
face and enrolling from pictures (answer each pose prompt with a photo) work in the
terminal. Hook them in with `for c in FACE_COMMANDS: console.add_command(c)`.
Each line printed says what the engine saw; never the template (D-PRIV).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from smartlock.device.console import Command, UsageError

if TYPE_CHECKING:
    from smartlock.device.console import Console

VIDEO_EVERY = 5  # a 30 fps clip read at 6 fps, like the lock's camera loop


def face(console: Console, args: Sequence[str]) -> None:
    """Show the camera one or more photos or video files, in order."""
    from smartlock.face.cli import describe
    from smartlock.face.decode import load_image
    from smartlock.face.engine import FaceEngine
    from smartlock.face.errors import FaceError
    from smartlock.face.frames import is_video, video_frames
    from smartlock.face.observation import to_input

    if not args:
        raise UsageError("name at least one photo or video")
    paths = [Path(a).expanduser() for a in args]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise UsageError(f"no such file: {', '.join(missing)}")
    engine = FaceEngine()
    for path in paths:
        try:
            if is_video(path):
                frames = list(video_frames(path, every=VIDEO_EVERY))
            else:
                frames = [(0, load_image(path))]
        except FaceError as err:
            console.write(f"?? {path.name}: {err.reason} (nothing was shown to the lock)")
            continue
        for index, frame in frames:
            reading = engine.read(frame)
            label = f"{path.name}#{index}" if is_video(path) else path.name
            console.write(f"   📷 {label}: {describe(reading)}")
            console.runtime.submit(to_input(reading))


def faces(console: Console, args: Sequence[str]) -> None:
    """Show every photo of a folder, sorted by name (e.g. five enrolment poses)."""
    from smartlock.face.dataset import IMAGE_SUFFIXES

    if len(args) != 1:
        raise UsageError("name one folder")
    folder = Path(args[0]).expanduser()
    if not folder.is_dir():
        raise UsageError(f"no such folder: {folder}")
    photos = sorted(str(p) for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not photos:
        raise UsageError(f"no photos in {folder}")
    face(console, photos)


FACE_COMMANDS: tuple[Command, ...] = (
    Command("face", "face PATH…", "show the camera photos or a video (unlock, enrol)", face),
    Command("faces", "faces DIR", "show the camera every photo in a folder, by name", faces),
)
