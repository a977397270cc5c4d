"""A menu session walking the §7 table (D-MENU-1, D-FIRST, D-FACE-ENROL, D-USER-*).

The tree itself is data in `smartlock.device.core.menu_table`. A session keeps a stack of
nodes, so `*` goes back one level and `*` at the top exits; 30 s without input
exits. Each table action is a `_act_<name>` method here.
"""

from __future__ import annotations

from typing import Any

from smartlock.device.core import fingerprint, lifecycle, users
from smartlock.device.core.context import LockContext
from smartlock.device.core.effects import FaceWatch
from smartlock.device.core.enrol import POSE_PROMPTS, Enrolment, Problem
from smartlock.device.core.inputs import FaceSeen
from smartlock.device.core.menu_table import (
    MAX_ENTRY,
    MENU,
    MENU_TIMEOUT_S,
    REFUSAL_PROMPTS,
    Entry,
    Node,
)
from smartlock.device.core.prompts import PromptId
from smartlock.device.core.records import MAX_TEMPLATES, DurableState
from smartlock.errors import ErrorCode, InputError, Refused
from smartlock.vocab import CredentialType, EventKind, FaceRefusal, Source, UserType

_PROBLEMS = {FaceRefusal.TOO_FAR: Problem.TOO_FAR, FaceRefusal.TWO_FACES: Problem.TWO_FACES}


class Menu:
    """One menu session: a stack of nodes plus what the current flow has gathered."""

    def __init__(self, core: LockContext, stack: list[Node], logged_in: int | None) -> None:
        self.core = core
        self.stack = stack
        self.logged_in = logged_in
        self.last_input = core.now
        self.digits = ""
        self.user_no = 0  # the user being added or managed
        self.new_type: UserType | None = None  # set while the user does not exist yet
        self.duress = False
        self.first_hash: bytes | None = None
        self.to_delete: tuple[int, ...] = ()
        self.volume_name = ""
        self.enrolment: Enrolment | None = None
        self.first_use = False

    @classmethod
    def login(cls, core: LockContext, user_no: int) -> Menu:
        menu = cls(core, [Node.MAIN], user_no)
        menu._announce()
        return menu

    @classmethod
    def start_first_use(cls, core: LockContext) -> Menu:
        """D-FIRST: straight to the password of master 001."""
        menu = cls(core, [Node.PIN_FIRST], None)
        menu.first_use, menu.user_no, menu.new_type = True, 1, UserType.MASTER
        menu._announce()
        return menu

    @property
    def node(self) -> Node:
        return self.stack[-1]

    # ---------------------------------------------------------------- inputs

    def key(self, key: str) -> None:
        self.last_input = self.core.now
        spec = MENU[self.node]
        if key == "*":
            self._go_back()
        elif spec.entry is Entry.DIGITS:
            if key == "#":
                digits, self.digits = self.digits, ""
                self._run(spec.action, digits, None)
            elif len(self.digits) < MAX_ENTRY:
                self.digits += key
        elif spec.entry is Entry.CONFIRM:
            if key == "#":
                self._run(spec.action, None, None)
        elif spec.entry is Entry.CHOICE:
            choice = spec.choices.get(key)
            if choice is None:
                self.core.say(PromptId.MENU_INVALID)
            elif choice.action is None:
                self._go(choice.target)
            else:
                self._run(choice.action, choice.arg, choice.target)

    def face(self, face: FaceSeen) -> None:
        enrol = self.enrolment
        if self.node is not Node.FACE or enrol is None:
            return
        problem = enrol.check(face)
        if problem is not None:
            enrol.problem = problem
            return
        if enrol.step == 0 and self.core.matcher is not None:
            other = self.core.matcher.duplicate_of(face.embedding, self.core.state.all_templates())
            if other is not None and other != self.user_no:  # D-USER-5
                self._enrol_over(PromptId.FACE_EXISTS, None)
                return
        self.last_input = self.core.now
        enrol.accept(face, self.core.now)
        if not enrol.done:
            self.core.say(POSE_PROMPTS[enrol.pose])
            return
        try:
            state = self._ensure_user(self.core.state)
            state, cred_id = users.add_face(
                state, self.user_no, enrol.captured, duress=enrol.duress
            )
        except Refused as err:
            self._enrol_over(REFUSAL_PROMPTS.get(err.code, PromptId.FAILED), None)
            return
        self._commit_new(state, cred_id, CredentialType.FACE)
        self._enrol_over(PromptId.FACE_ENROLLED, None)

    def no_face(self, reason: FaceRefusal | None = None) -> None:
        if self.enrolment is None:
            return
        if reason in _PROBLEMS:  # the failure prompt names the last reason
            self.enrolment.problem = _PROBLEMS[reason]

    def tick(self, now: float) -> None:
        if self.enrolment is not None and self.enrolment.timed_out(now):
            self._enrol_over(PromptId.FACE_FAILED, self.enrolment.problem.value)
        elif now - self.last_input >= MENU_TIMEOUT_S:
            self.exit()

    def exit(self) -> None:
        if self.enrolment is not None:
            self.enrolment = None
            self.core.emit(FaceWatch(False))
        self.core.change(menu=None)
        if self.core.finger_origin is Source.MENU:  # one the app started goes on
            fingerprint.cancel(self.core)
        self.core.say(PromptId.MENU_EXIT)

    def save_finger(self, duress: bool) -> bool:
        """The module stored the finger: record it (creating a new user first)."""
        try:
            state = self._ensure_user(self.core.state)
            state, cred_id = users.add_fingerprint(state, self.user_no, duress=duress)
        except Refused as err:
            self._refused(err)
            return False
        self._commit_new(state, cred_id, CredentialType.FINGERPRINT)
        return True

    def finger_step(self, over: bool = False) -> None:
        """A press or lift is input (the 30 s start again); at the end, back to the list."""
        self.last_input = self.core.now
        if over and self.node is Node.FINGER:
            self._go(self._back_to_credentials())

    # ------------------------------------------------------------ navigation

    def _announce(self) -> None:
        spec = MENU[self.node]
        if spec.prompt is PromptId.MENU_CREDENTIAL:
            self.core.say(spec.prompt, user_no=self.user_no)
        else:
            self.core.say(spec.prompt)

    def _go(self, target: Node | None) -> None:
        if target is None:
            return
        if target is Node.EXIT:
            self.exit()
            return
        if target in self.stack:
            del self.stack[self.stack.index(target) + 1 :]
        else:
            self.stack.append(target)
        self.digits = ""
        self._announce()

    def _go_back(self) -> None:
        if self.enrolment is not None:
            self.enrolment = None
            self.core.emit(FaceWatch(False))
        if self.node is Node.FINGER:
            self.stack.pop()  # first, so the enrolment's end does not navigate too
            fingerprint.cancel(self.core)
            self.digits = ""
            self._announce()
            return
        if len(self.stack) == 1:
            self.exit()
            return
        self.stack.pop()
        self.digits = ""
        self._announce()

    def _back_to_credentials(self) -> Node:
        if self.first_use:
            return Node.EXIT
        for node in reversed(self.stack):
            if node in (Node.NEW_CRED, Node.ADD_CRED):
                return node
        return Node.MAIN

    def _run(self, action: str | None, arg: Any, target: Node | None) -> None:
        assert action is not None
        method = getattr(self, f"_act_{action}")
        self._go(method(arg, target))

    # ---------------------------------------------------------------- helpers

    def _refused(self, err: Refused | InputError) -> None:
        self.core.say(REFUSAL_PROMPTS.get(err.code, PromptId.FAILED))

    def _ensure_user(self, state: DurableState) -> DurableState:
        if self.new_type is None:
            return state
        state, number = users.add_user(state, self.new_type)
        if number != self.user_no:
            raise Refused("the announced user number was taken", ErrorCode.USER_LIMIT)
        return state

    def _commit_new(self, state: DurableState, cred_id: int, cred_type: CredentialType) -> None:
        core, source = self.core, Source.MENU
        created = self.new_type
        core.set_state(state)
        if created is not None:
            self.new_type = None
            core.log(EventKind.USER_ADDED, user_no=self.user_no, source=source, user_type=created)
        core.log(
            EventKind.CREDENTIAL_ADDED,
            user_no=self.user_no,
            source=source,
            cred_id=cred_id,
            cred_type=cred_type,
            duress=self.duress,
            by=self.logged_in,
        )

    def _enrol_over(self, prompt: PromptId, reason: str | None) -> None:
        self.enrolment = None
        self.core.emit(FaceWatch(False))
        if reason is None:
            self.core.say(prompt)
        else:
            self.core.say(prompt, reason=reason)
        self._go(self._back_to_credentials())

    # ---------------------------------------------------------------- actions

    def _act_system_info(self, arg: Any, target: Node | None) -> Node | None:
        serial, version = self.core.state.identity.serial, self.core.firmware
        self.core.say(PromptId.SYSTEM_INFO, serial=serial, version=version)
        return None

    def _act_pick_new(self, user_type: UserType, target: Node | None) -> Node | None:
        number = self.core.state.free_user_number()
        if number is None:
            self.core.say(PromptId.USER_LIMIT)
            return None
        self.user_no, self.new_type = number, user_type
        return target

    def _act_pin(self, duress: bool, target: Node | None) -> Node | None:
        if self.new_type is None and users.has_pin(self.core.state, self.user_no, duress):
            self.core.say(PromptId.HAS_PASSWORD)  # D-USER-4: delete the old one first
            return None
        self.duress = duress
        return target

    def _act_enrol(self, duress: bool, target: Node | None) -> Node | None:
        state = self.core.state
        have = sum(len(state.faces.get(c.cred_id, ())) for c in state.creds_of(self.user_no))
        if have + 5 > MAX_TEMPLATES:
            self.core.say(PromptId.TEMPLATE_LIMIT)
            return None
        self.duress = duress
        self.enrolment = Enrolment(self.user_no, duress, self.core.now)
        self.core.emit(FaceWatch(True))
        return target

    def _act_enrol_finger(self, duress: bool, target: Node | None) -> Node | None:
        if self.new_type is None and fingerprint.has_finger(self.core.state, self.user_no, duress):
            self.core.say(PromptId.HAS_FINGERPRINT)  # D-FINGER-1: delete the old one first
            return None
        try:
            fingerprint.begin(self.core, self.user_no, duress, Source.MENU)
        except Refused as err:
            self._refused(err)
            return None
        self.duress = duress
        return target

    def _act_select_user(self, digits: str, target: Node | None) -> Node | None:
        number = int(digits) if digits.isdigit() and len(digits) <= 3 else 0
        if number not in self.core.state.users:
            self.core.say(PromptId.UNKNOWN_USER)
            return None
        self.user_no, self.new_type = number, None
        return Node.USER

    def _act_pin_first(self, digits: str, target: Node | None) -> Node | None:
        state = self.core.state
        try:
            users.check_pin_digits(digits)
            if self.new_type is None and any(
                c.cred_type is CredentialType.PIN and c.duress == self.duress
                for c in state.creds_of(self.user_no)
            ):
                raise Refused("has a password", ErrorCode.HAS_PASSWORD)
            digest = users.pin_hash(state.secret, digits)
            if any(c.secret_hash == digest for c in state.credentials.values()):
                raise Refused("duplicate", ErrorCode.DUPLICATE_PASSWORD)
        except (Refused, InputError) as err:
            self._refused(err)
            return self._back_to_credentials() if err.code is ErrorCode.HAS_PASSWORD else None
        self.first_hash = digest
        return Node.PIN_AGAIN

    def _act_pin_again(self, digits: str, target: Node | None) -> Node | None:
        state = self.core.state
        if self.first_hash is None or users.pin_hash(state.secret, digits) != self.first_hash:
            self.first_hash = None
            self.core.say(PromptId.PASSWORDS_DIFFER)
            return Node.PIN_FIRST
        self.first_hash = None
        try:
            state = self._ensure_user(state)
            state, cred_id = users.add_pin(state, self.user_no, digits, duress=self.duress)
        except (Refused, InputError) as err:
            self._refused(err)
            return self._back_to_credentials()
        self._commit_new(state, cred_id, CredentialType.PIN)
        self.core.say(PromptId.SUCCESS)
        return self._back_to_credentials()

    def _act_pick_delete(self, kind: str, target: Node | None) -> Node | None:
        self.to_delete = users.deletable(self.core.state, self.user_no, kind)
        if not self.to_delete:
            self.core.say(PromptId.NOTHING_TO_DELETE)
            return None
        return target

    def _act_delete(self, arg: Any, target: Node | None) -> Node | None:
        state = self.core.state
        try:
            for cred_id in self.to_delete:
                state = users.delete_credential(state, cred_id)
        except Refused as err:
            self._refused(err)
            return Node.USER
        self.core.set_state(state)
        for cred_id in self.to_delete:
            self.core.log(
                EventKind.CREDENTIAL_DELETED,
                user_no=self.user_no,
                source=Source.MENU,
                cred_id=cred_id,
                by=self.logged_in,
            )
        self.core.say(PromptId.SUCCESS)
        return Node.USER

    def _act_deregister(self, arg: Any, target: Node | None) -> Node | None:
        try:
            state = users.deregister(
                self.core.state, self.user_no, from_keypad=True, logged_in=self.logged_in
            )
        except Refused as err:
            self._refused(err)
            return Node.USER
        self.core.set_state(state)
        self.core.log(
            EventKind.USER_DELETED, user_no=self.user_no, source=Source.MENU, by=self.logged_in
        )
        self.core.say(PromptId.SUCCESS)
        return Node.MAIN

    def _act_pick_volume(self, name: str, target: Node | None) -> Node | None:
        self.volume_name = name
        return target

    def _act_set_volume(self, level: str, target: Node | None) -> Node | None:
        self.core.change_setting(
            self.volume_name, level, source=Source.MENU, user_no=self.logged_in
        )
        self.core.say(PromptId.SUCCESS)
        return target

    def _act_toggle(self, name: str, target: Node | None) -> Node | None:
        value = not getattr(self.core.state.settings, name)
        self.core.change_setting(name, value, source=Source.MENU, user_no=self.logged_in)
        return None

    def _act_pair(self, arg: Any, target: Node | None) -> Node | None:
        lifecycle.begin_pairing(self.core, Source.MENU)
        return None
