"""Random input mashing with hypothesis: the safety invariants hold after every step.

Invariants (checked after each input): no unlock by an unknown, deleted, disabled or
out-of-schedule credential, nor during a lockout (D-LOCKOUT); in anti-lock mode no
outside unlock by a non-master (D-MODE-ANTI); never more than 50 users (D-USER-1);
once a master exists one exists until a factory reset (D-USER-6); the journal's
sequence has no gap and never repeats (D-LOG).
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from smartlock.device.core.effects import Effect, JournalEvent
from smartlock.device.core.inputs import (
    ArmKey,
    BatteryLevel,
    BoltFeedback,
    DoorSensor,
    FaceSeen,
    FactoryReset,
    Handle,
    Input,
    KeyPress,
    Knob,
    MechanicalKey,
    NoFace,
    RemoteAction,
    RemoteCommand,
    SettingsKey,
    Tamper,
    Tick,
    UnlockButton,
)
from smartlock.device.core.records import MAX_USERS, DurableState
from smartlock.vocab import BoltState, EventKind, FaceRefusal, Method, Pose

from .rig import MASTER_PIN, T0, Rig, face_vec

OUTSIDE = {Method.PASSWORD, Method.FACE, Method.TEMP_PASSWORD, Method.OFFLINE_CODE, Method.REMOTE}
PINS = [MASTER_PIN, "246810", "13579135", "8642097", "999999"]
key_runs = st.one_of(
    st.sampled_from(PINS).map(lambda p: p + "#"),
    st.text(alphabet="0123456789*#", min_size=1, max_size=8),
    st.sampled_from(["1", "2", "3", "4", "12", "122", "2002#", "3#", "22#", "321", "322"]),
)
remote_cmds = st.one_of(
    st.builds(
        lambda t: (RemoteAction.ADD_USER, {"user_type": t}),
        st.sampled_from(["normal", "master", "disposable"]),
    ),
    st.builds(lambda n: (RemoteAction.DEREGISTER_USER, {"user_no": n}), st.integers(1, 6)),
    st.builds(
        lambda n, p, d: (RemoteAction.SET_PASSWORD, {"user_no": n, "digits": p, "duress": d}),
        st.integers(1, 6),
        st.sampled_from(PINS),
        st.booleans(),
    ),
    st.builds(
        lambda n, c: (RemoteAction.DELETE_CREDENTIAL, {"user_no": n, "cred_id": c}),
        st.integers(1, 6),
        st.integers(1, 12),
    ),
    st.builds(
        lambda n, e: (RemoteAction.SET_USER_ENABLED, {"user_no": n, "enabled": e}),
        st.integers(1, 6),
        st.booleans(),
    ),
    st.builds(
        lambda n: (
            RemoteAction.SET_SCHEDULES,
            {
                "user_no": n,
                "schedules": [{"kind": "year_day", "start": T0 + 3600, "end": T0 + 7200}],
            },
        ),
        st.integers(1, 6),
    ),
    st.builds(
        lambda m, on: (RemoteAction.SET_MODE, {"mode": m, "on": on}),
        st.sampled_from(["anti_lock", "normally_open", "armed", "mute"]),
        st.booleans(),
    ),
    st.builds(
        lambda on: (RemoteAction.CHANGE_SETTING, {"name": "remote_unlock", "value": on}),
        st.booleans(),
    ),
    st.just((RemoteAction.UNLOCK, {})),
    st.just((RemoteAction.LOCK, {})),
    st.builds(
        lambda u: (
            RemoteAction.ADD_TEMP_PASSWORD,
            {
                "temp_id": "t",
                "code": "8642097",
                "valid_from": T0,
                "valid_to": T0 + 600,
                "max_uses": u,
            },
        ),
        st.one_of(st.none(), st.integers(1, 3)),
    ),
    st.just((RemoteAction.REVOKE_TEMP_PASSWORD, {"temp_id": "t"})),
)


class LockMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.rig = Rig()
        self.seqs: list[int] = [1]  # Boot
        self.master_seen = False
        self.n = 0

    @initialize(with_master=st.booleans())
    def start(self, with_master: bool) -> None:
        if with_master:
            self._check_all(self.rig.first_master.__call__, None)

    # ------------------------------------------------------------- stepping

    def _step(self, inp: Input) -> None:
        self._check_all(lambda: self.rig.feed(inp), inp)

    def _check_all(self, run: object, inp: Input | None) -> None:
        core = self.rig.core
        before: DurableState = core.state
        locked = core.locked_out
        anti = core.settings.anti_lock
        now = core.now
        out: list[Effect] = run()  # type: ignore[operator]
        for e in out:
            if not isinstance(e, JournalEvent):
                continue
            self.seqs.append(e.seq)
            if e.kind is EventKind.FACTORY_RESET:
                self.master_seen = False
            if e.kind is not EventKind.UNLOCK or e.method not in OUTSIDE:
                continue
            assert not locked, f"unlock during lockout: {e}"
            if e.method in (Method.PASSWORD, Method.FACE):
                cred = before.credentials.get(e.details["cred_id"])
                assert cred is not None, f"unlock by unknown credential {e}"
                user = before.users[cred.user_no]
                assert user.allowed_at(now, before.settings.tz_offset_min), e
                assert not anti or user.is_master, f"non-master in anti-lock: {e}"
            else:
                assert not anti, f"outside unlock in anti-lock mode: {e}"

    # ---------------------------------------------------------------- rules

    @rule(typed=key_runs)
    def keys(self, typed: str) -> None:
        for k in typed:
            self._step(KeyPress(k))

    @rule(person=st.integers(1, 4), pose=st.sampled_from(list(Pose)), jitter=st.floats(0, 0.7))
    def face(self, person: int, pose: Pose, jitter: float) -> None:
        self._step(FaceSeen(face_vec(person, jitter=jitter), pose=pose))

    @rule(reason=st.none() | st.sampled_from(list(FaceRefusal)))
    def no_face(self, reason: FaceRefusal | None) -> None:
        self._step(NoFace(reason))

    @rule(seconds=st.sampled_from([0.5, 1, 2, 5, 11, 31, 61, 181, 301]))
    def wait(self, seconds: float) -> None:
        self.rig.now += seconds
        self._step(Tick(self.rig.now))

    @rule(is_open=st.booleans())
    def door(self, is_open: bool) -> None:
        self._step(DoorSensor(is_open))

    @rule(state=st.sampled_from(list(BoltState)))
    def bolt(self, state: BoltState) -> None:
        self._step(BoltFeedback(state))

    @rule(held=st.sampled_from([0.1, 3.0]))
    def settings_key(self, held: float) -> None:
        self._step(SettingsKey(held))

    @rule(held=st.sampled_from([0.1, 0.1, 3.0]))
    def unlock_button(self, held: float) -> None:
        self._step(UnlockButton(held))

    @rule(
        inp=st.sampled_from(
            [ArmKey(), Knob(), MechanicalKey(), Handle(), Tamper(True), Tamper(False)]
        )
    )
    def part(self, inp: Input) -> None:
        self._step(inp)

    @rule(level=st.integers(0, 100))
    def battery(self, level: int) -> None:
        self._step(BatteryLevel(level))

    @rule(cmd=remote_cmds)
    def remote(self, cmd: tuple[RemoteAction, dict[str, object]]) -> None:
        self.n += 1
        self._step(RemoteCommand(f"r{self.n}", cmd[0], cmd[1]))

    @rule()
    def menu_as_master(self) -> None:
        self._step(SettingsKey(0.1))
        for k in f"{MASTER_PIN}#":
            self._step(KeyPress(k))

    @rule(dice=st.integers(0, 40))
    def factory_reset(self, dice: int) -> None:
        if dice == 0:  # rare: it wipes everything the other rules built up
            self._step(FactoryReset())

    @rule()
    def first_use(self) -> None:
        self._step(Tick(self.rig.now + 31))
        self.rig.now += 31
        for k in f"*#{MASTER_PIN}#{MASTER_PIN}#":
            self._step(KeyPress(k))

    @rule(person=st.integers(1, 3), user=st.sampled_from(["001", "002", "003"]))
    def enrol_face(self, person: int, user: str) -> None:
        self.menu_as_master()
        for k in f"2{user}#11":
            self._step(KeyPress(k))
        for pose in Pose:
            self._step(FaceSeen(face_vec(person), pose=pose))
        for k in "****":
            self._step(KeyPress(k))

    # ----------------------------------------------------------- invariants

    @invariant()
    def at_most_50_users(self) -> None:
        assert len(self.rig.core.state.users) <= MAX_USERS

    @invariant()
    def a_master_stays_until_reset(self) -> None:
        has = bool(self.rig.core.state.masters())
        assert has or not self.master_seen
        self.master_seen = self.master_seen or has

    @invariant()
    def journal_has_no_gap_or_repeat(self) -> None:
        assert self.seqs == list(range(1, len(self.seqs) + 1))
        assert self.rig.core.state.next_seq == len(self.seqs) + 1


LockMachine.TestCase.settings = settings(
    max_examples=200,
    stateful_step_count=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestLockInvariants = LockMachine.TestCase
