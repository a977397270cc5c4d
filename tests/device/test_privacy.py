"""D-PRIV: face templates never leave the lock (not in events, status or results)."""

from __future__ import annotations

import json

from smartlock.device.core.effects import CommandResult, JournalEvent, StatusChanged
from smartlock.device.core.inputs import FaceSeen
from smartlock.vocab import Pose

from .rig import Rig

MARK = 0.987654321  # a value no event, status or result should ever carry


def test_no_embedding_in_anything_that_leaves_the_lock_D_PRIV() -> None:
    rig = Rig()
    rig.first_master()
    rig.menu_login()
    rig.keys("2001#11")
    face = (MARK, 0.0, 1.0, 0.0)
    for pose in Pose:
        rig.feed(FaceSeen(face, pose=pose))
    rig.keys("****")
    rig.keys("*")
    rig.feed(FaceSeen(face))
    leaving = [
        repr(e) for e in rig.history if isinstance(e, JournalEvent | StatusChanged | CommandResult)
    ]
    leaving += [
        json.dumps(e.to_dict(), default=str) for e in rig.history if isinstance(e, JournalEvent)
    ]
    leaving.append(json.dumps([u.to_dict() for u in rig.core.users()]))
    text = " ".join(leaving)
    assert str(MARK) not in text and "embedding" not in text
    assert '"method": "face"' in text  # only the fact "user 001 unlocked by face"
