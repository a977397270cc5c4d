"""The one durable rename the lock's files share: the store's first file and the
firmware slots' record both land with it, so a power cut leaves old or new, never half.
"""

from __future__ import annotations

import os
from pathlib import Path


def move_into_place(new: Path, path: Path) -> None:
    """Rename `new` (already fsynced) over `path`, then fsync the folder so the
    rename itself survives a power cut.
    """
    os.replace(new, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
