"""A simulated R503-class fingerprint module, at the level of its serial bytes.

`SimulatedModule.uart()` is a pyserial-like port (`write`, `read(n)` that returns
fewer bytes on a timeout, `reset_input_buffer`, `close`), so the very library the
real lock uses (`adafruit_fingerprint`) drives it in the virtual lock and the tests.
The module parses each command packet (start code, address, id, length, checksum),
does what the datasheet says, and queues its acknowledgement.

A finger is one of ten virtual fingers (0-9); its features are a digest of its
number, so the same finger always matches itself and never another. The module
keeps its library in its own "flash" (optionally a JSON file, so a restarted
virtual lock keeps its templates as a real module would). Templates can be
uploaded by a host on a real module (UpChar); the lock never asks (D-PRIV), and
`uploads` counts any attempt so the tests can prove it.
"""

from __future__ import annotations

import hashlib
import json
import struct
import threading
from pathlib import Path

from smartlock.hal import finger_protocol as fp

FINGERS = 10
CAPACITY = 200  # R503
BUFFERS = 6  # R503 char buffers (an AS608 has 2)
SYSTEM_ID, SECURITY_LEVEL, PACKET_SIZE_CODE, BAUD_N = 0x0000, 3, 2, 6  # 128-byte, 57600


def features(finger: int) -> bytes:
    """The characteristic the module extracts from virtual finger `finger`."""
    return hashlib.sha256(b"virtual finger %d" % finger).digest()


class SimulatedModule:
    """The module's state: what is on the glass, its buffers and its library."""

    def __init__(
        self, *, capacity: int = CAPACITY, flash: Path | None = None, password: int = 0
    ) -> None:
        self.capacity = capacity
        self.password = password
        self.address = fp.DEFAULT_ADDRESS
        self.finger: int | None = None  # on the glass
        self.smudged = False  # the next images are unreadable (a wet or dirty finger)
        self.answering = True  # False: a module that stopped answering (cable, power)
        self.uploads = 0  # UpChar / UpImage requests: the lock must never send one
        self.commands: list[int] = []  # instructions received, for the tests
        self._image: int | None = None
        self._smudged_image = False
        self._buffers: dict[int, bytes] = {}
        self._flash = flash
        self.library: dict[int, bytes] = self._load()
        self._lock = threading.Lock()

    def uart(self) -> SimulatedUart:
        return SimulatedUart(self)

    # -- the glass ---------------------------------------------------------------------

    def place(self, finger: int) -> None:
        if not 0 <= finger < FINGERS:
            raise ValueError(f"a virtual finger is 0-{FINGERS - 1}, got {finger}")
        self.finger = finger

    def lift(self) -> None:
        self.finger = None

    # -- the protocol ------------------------------------------------------------------

    def answer(self, packet: bytes) -> bytes:
        """The acknowledgement to one command packet (empty: no answer at all)."""
        try:
            packet_id, payload = fp.decode(packet, self.address)
        except fp.PacketError:
            return self._ack(fp.PACKET_ERROR)
        if packet_id != fp.COMMAND or not payload:
            return self._ack(fp.PACKET_ERROR)
        with self._lock:
            self.commands.append(payload[0])
            return self._run(payload[0], payload[1:])

    def _ack(self, code: int, data: bytes = b"") -> bytes:
        return fp.encode(fp.ACK, bytes([code]) + data, self.address)

    def _run(self, op: int, args: bytes) -> bytes:
        if op == fp.VERIFY_PWD:
            ok = len(args) == 4 and struct.unpack(">I", args)[0] == self.password
            return self._ack(fp.OK if ok else fp.WRONG_PASSWORD)
        if op == fp.READ_SYS_PARA:
            return self._ack(fp.OK, self._sys_params())
        if op == fp.GEN_IMG:
            if self.finger is None:
                return self._ack(fp.NO_FINGER)
            self._image, self._smudged_image = self.finger, self.smudged
            return self._ack(fp.OK)
        if op == fp.IMG_2_TZ:
            return self._ack(self._to_features(args[0] if args else 0))
        if op == fp.REG_MODEL:
            return self._ack(self._merge())
        if op == fp.STORE:
            return self._ack(self._store(args))
        if op in (fp.SEARCH, fp.HI_SPEED_SEARCH):
            return self._search(args)
        if op == fp.DELETE_CHAR:
            return self._ack(self._delete(args))
        if op == fp.EMPTY:
            self.library.clear()
            self._save()
            return self._ack(fp.OK)
        if op == fp.TEMPLATE_NUM:
            return self._ack(fp.OK, struct.pack(">H", len(self.library)))
        if op == fp.READ_INDEX_TABLE:
            return self._ack(fp.OK, self._index_page(args[0] if args else 0))
        if op in (fp.UP_CHAR, fp.UP_IMAGE):
            self.uploads += 1
            return self._ack(fp.UPLOAD_FAIL)  # this lock's firmware has no use for it
        if op == fp.AURA_LED:
            return self._ack(fp.OK)
        return self._ack(fp.PACKET_ERROR)

    def _sys_params(self) -> bytes:
        return (
            struct.pack(">HHHH", 0, SYSTEM_ID, self.capacity, SECURITY_LEVEL)
            + self.address
            + struct.pack(">HH", PACKET_SIZE_CODE, BAUD_N)
        )

    def _to_features(self, buffer: int) -> int:
        if not 1 <= buffer <= BUFFERS:
            return fp.PACKET_ERROR
        if self._image is None:
            return fp.INVALID_IMAGE
        if self._smudged_image:
            return fp.IMAGE_MESSY
        self._buffers[buffer] = features(self._image)
        return fp.OK

    def _merge(self) -> int:
        found = set(self._buffers.values())
        if len(self._buffers) < 2 or len(found) != 1:
            self._buffers.clear()
            return fp.ENROLL_MISMATCH
        (template,) = found
        self._buffers = {1: template, 2: template}  # the model is in both, as on a module
        return fp.OK

    def _store(self, args: bytes) -> int:
        if len(args) != 3:
            return fp.PACKET_ERROR
        buffer, (page,) = args[0], struct.unpack(">H", args[1:3])
        if page >= self.capacity:
            return fp.BAD_LOCATION
        if buffer not in self._buffers:
            return fp.PACKET_ERROR
        self.library[page] = self._buffers[buffer]
        self._save()
        return fp.OK

    def _search(self, args: bytes) -> bytes:
        if len(args) != 5:
            return self._ack(fp.PACKET_ERROR)
        buffer, start, count = args[0], *struct.unpack(">HH", args[1:5])
        wanted = self._buffers.get(buffer)
        for page in sorted(self.library):
            if start <= page < start + count and self.library[page] == wanted:
                score = 100 + (page * 37) % 150
                return self._ack(fp.OK, struct.pack(">HH", page, score))
        return self._ack(fp.NOT_FOUND, struct.pack(">HH", 0, 0))

    def _delete(self, args: bytes) -> int:
        if len(args) != 4:
            return fp.PACKET_ERROR
        start, count = struct.unpack(">HH", args)
        if start + count > self.capacity:
            return fp.DELETE_FAIL
        for page in range(start, start + count):
            self.library.pop(page, None)
        self._save()
        return fp.OK

    def _index_page(self, page: int) -> bytes:
        bits = bytearray(32)
        for slot in self.library:
            if page * 256 <= slot < (page + 1) * 256:
                offset = slot - page * 256
                bits[offset // 8] |= 1 << (offset % 8)
        return bytes(bits)

    # -- flash -------------------------------------------------------------------------

    def _load(self) -> dict[int, bytes]:
        if self._flash is None or not self._flash.exists():
            return {}
        try:
            raw = json.loads(self._flash.read_text())
            return {int(k): bytes.fromhex(v) for k, v in raw.items()}
        except (OSError, ValueError, AttributeError):
            return {}  # an unreadable flash is an empty one, as after EMPTY

    def _save(self) -> None:
        if self._flash is not None:
            data = {str(k): v.hex() for k, v in sorted(self.library.items())}
            self._flash.write_text(json.dumps(data))


class SimulatedUart:
    """A pyserial-like port to the module: a timed-out `read` returns what came."""

    def __init__(self, module: SimulatedModule) -> None:
        self.module = module
        self._inbox = bytearray()
        self._outbox = bytearray()
        self.closed = False

    def write(self, data: bytes | bytearray | list[int]) -> int:
        chunk = bytes(data)
        if not self.module.answering:
            return len(chunk)  # the line is dead: nothing comes back
        self._inbox += chunk
        while (size := fp.packet_size(bytes(self._inbox))) is not None and len(self._inbox) >= size:
            packet, self._inbox = bytes(self._inbox[:size]), self._inbox[size:]
            self._outbox += self.module.answer(packet)
        return len(chunk)

    def read(self, size: int = 1) -> bytes:
        """Up to `size` bytes; fewer (maybe none) when the module sent no more before
        the timeout, as pyserial does. The simulation does not wait the timeout out.
        """
        data, self._outbox = bytes(self._outbox[:size]), self._outbox[size:]
        return data

    @property
    def in_waiting(self) -> int:
        return len(self._outbox)

    def reset_input_buffer(self) -> None:
        self._outbox.clear()
        self._inbox.clear()

    def close(self) -> None:
        self.closed = True
