"""A test rig: the real `LockCore` wired back to back with a tiny fake world.

The bolt answers every `MoveBolt` like the motor would (or jams on demand); time is
advanced with `wait`, so no test ever sleeps.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from smartlock.device.core import LockCore
from smartlock.device.core.effects import (
    PERCEPTIBLE,
    BoltAction,
    CommandResult,
    Effect,
    JournalEvent,
    MoveBolt,
    Prompt,
)
from smartlock.device.core.inputs import (
    BoltFeedback,
    Boot,
    FaceSeen,
    Input,
    KeyPress,
    RemoteAction,
    RemoteCommand,
    SettingsKey,
    Tick,
)
from smartlock.device.core.prompts import PromptId
from smartlock.device.core.records import DurableState, Identity
from smartlock.device.core.reference_matcher import EuclideanMatcher
from smartlock.vocab import BoltState, EventKind, Pose

T0 = 1_700_000_000.0  # a Tuesday, 22:13 UTC
SECRET = b"s" * 32
MASTER_PIN = "123456"


def face_vec(person: int, dim: int = 8, jitter: float = 0.0) -> tuple[float, ...]:
    """A synthetic embedding: people are 1.0 apart, so jitter < 0.4 still matches."""
    vec = [0.0] * dim
    vec[person % dim] = 1.0 + person // dim
    vec[0] += jitter
    return tuple(vec)


class Rig:
    def __init__(self, core: LockCore | None = None, *, now: float = T0, boot: bool = True) -> None:
        self.core = core or LockCore.new(
            Identity("SL-TEST-0001", "VC1234"), SECRET, matcher=EuclideanMatcher()
        )
        self.now = now
        self.jam = False
        self.bolt_reply = True
        self.history: list[Effect] = []
        if boot:
            self.feed(Boot(now))

    @classmethod
    def restored(cls, state: DurableState, now: float) -> Rig:
        return cls(LockCore.restore(state, matcher=EuclideanMatcher()), now=now)

    # ------------------------------------------------------------- feeding

    def feed(self, *inputs: Input) -> list[Effect]:
        out: list[Effect] = []
        queue = list(inputs)
        while queue:
            effects = self.core.handle(queue.pop(0))
            out += effects
            if self.bolt_reply:
                for e in effects:
                    if isinstance(e, MoveBolt):
                        state = (
                            BoltState.THROWN
                            if e.action is BoltAction.THROW
                            else BoltState.RETRACTED
                        )
                        queue.append(BoltFeedback(BoltState.JAMMED if self.jam else state))
        self.history += out
        return out

    def keys(self, typed: str) -> list[Effect]:
        return self.feed(*(KeyPress(k) for k in typed))

    def wait(self, seconds: float, step: float = 1.0) -> list[Effect]:
        out: list[Effect] = []
        end = self.now + seconds
        while self.now < end:
            self.now = min(end, self.now + step)
            out += self.feed(Tick(self.now))
        return out

    def remote(
        self, action: RemoteAction, request_id: str | None = None, **params: object
    ) -> CommandResult:
        rid = request_id or f"r{len(self.history)}-{action}"
        out = self.feed(RemoteCommand(rid, action, params))
        results = [e for e in out if isinstance(e, CommandResult)]
        assert len(results) == 1, out
        return results[0]

    # ----------------------------------------------------------- scenarios

    def first_master(self, pin: str = MASTER_PIN) -> list[Effect]:
        """D-FIRST through the keypad: wake, #, password twice."""
        self.keys("*")
        return self.keys(f"#{pin}#{pin}#")

    def menu_login(self, pin: str = MASTER_PIN) -> list[Effect]:
        self.feed(SettingsKey(0.2))
        return self.keys(f"{pin}#")

    def add_user_with_pin(
        self, pin: str, *, master: bool = False, duress: bool = False
    ) -> list[Effect]:
        """Menu 1 -> master/normal -> password (or 3 -> 2 duress password), then exit."""
        self.menu_login()
        kind = "1" if master else "2"
        path = "32" if duress else "2"
        out = self.keys(f"1{kind}{path}{pin}#{pin}#")
        self.keys("****")
        return out

    def enrol_face(self, person: int, user_keys: str) -> list[Effect]:
        """Menu path `user_keys` ends in the face choice; then the five poses."""
        self.menu_login()
        out = self.keys(user_keys)
        for pose in (Pose.FRONT, Pose.RIGHT, Pose.UP, Pose.LEFT, Pose.DOWN):
            out += self.feed(FaceSeen(face_vec(person), pose=pose))
        self.keys("****")
        return out

    def face(self, person: int, jitter: float = 0.0) -> list[Effect]:
        return self.feed(FaceSeen(face_vec(person, jitter=jitter)))


# ------------------------------------------------------------------ reading


def prompts(effects: Iterable[Effect]) -> list[PromptId]:
    return [e.prompt_id for e in effects if isinstance(e, Prompt)]


def events(effects: Iterable[Effect], kind: EventKind | None = None) -> list[JournalEvent]:
    return [e for e in effects if isinstance(e, JournalEvent) and (kind is None or e.kind is kind)]


def unlocks(effects: Iterable[Effect]) -> list[JournalEvent]:
    return events(effects, EventKind.UNLOCK)


def retracts(effects: Iterable[Effect]) -> int:
    return sum(1 for e in effects if isinstance(e, MoveBolt) and e.action is BoltAction.RETRACT)


def perceptible(effects: Sequence[Effect]) -> list[Effect]:
    return [e for e in effects if isinstance(e, PERCEPTIBLE)]
