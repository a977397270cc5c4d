"""Every way in from outside, and the per-user credential limits (D-OPEN-OUT, D-USER-3)."""

from __future__ import annotations

import pytest

from smartlock.device.core import users
from smartlock.device.core.inputs import MechanicalKey, RemoteAction, RemoteCommand
from smartlock.errors import ErrorCode, Refused
from smartlock.vocab import Method

from .rig import T0, Rig, face_vec, unlocks

A = RemoteAction


def _ready() -> Rig:
    rig = Rig()
    rig.first_master()
    rig.add_user_with_pin("246810")
    return rig


def _face(rig: Rig) -> list[object]:
    rig.enrol_face(3, "2002#11")
    rig.wait(40)  # let the enrolment's own watch window end
    rig.keys("*")  # a touch wakes face recognition (D-KEY-WAKE)
    return list(rig.face(3))


def _temp(rig: Rig) -> list[object]:
    rig.remote(A.ADD_TEMP_PASSWORD, temp_id="v", code="8642097", valid_from=T0, valid_to=T0 + 9e5)
    return list(rig.keys("8642097#"))


def _remote(rig: Rig) -> list[object]:
    rig.remote(A.CHANGE_SETTING, name="remote_unlock", value=True)
    return list(rig.feed(RemoteCommand("open", A.UNLOCK, {"by": "ann"})))


OUTSIDE = {
    Method.PASSWORD: lambda rig: rig.keys("00246810999#"),
    Method.FACE: _face,
    Method.TEMP_PASSWORD: _temp,
    Method.KEY: lambda rig: rig.feed(MechanicalKey()),
    Method.REMOTE: _remote,
}


@pytest.mark.parametrize("method", list(OUTSIDE), ids=str)
def test_each_outside_method_opens_the_lock_D_OPEN_OUT(method: Method) -> None:
    """Face, password, temporary password, mechanical key and remote all open from outside."""
    rig = _ready()
    out = OUTSIDE[method](rig)
    opened = unlocks(out)  # type: ignore[arg-type]
    assert [e.method for e in opened] == [method]


def test_a_user_holds_at_most_20_face_templates_D_USER_3() -> None:
    """Four 5-pose enrolments fill a user's 20 templates; a fifth is refused, state unchanged."""
    rig = _ready()
    state = rig.core.state
    poses = [(face_vec(1), "front")] * 5
    for _ in range(4):
        state, _ = users.add_face(state, 1, poses)
    with pytest.raises(Refused) as err:
        users.add_face(state, 1, poses)
    assert err.value.code is ErrorCode.TEMPLATE_LIMIT
    assert sum(len(t) for t in state.faces.values()) == 20
