r"""The serial packet format of the R30x / R503 / AS608 fingerprint modules.

Every packet is `EF 01 | address (4) | packet id | length (2) | payload | checksum (2)`,
big-endian; `length` counts the payload and the checksum, and the checksum is the
16-bit sum of the packet id, the length bytes and the payload. The host sends
command packets (id 0x01) and the module answers with acknowledgements (id 0x07)
whose first payload byte is a confirmation code. Only the simulated module uses this
module: the real lock talks through the `adafruit_fingerprint` library.

>>> packet = encode(COMMAND, bytes([GEN_IMG]))
>>> packet.hex(" ")
'ef 01 ff ff ff ff 01 00 03 01 00 05'
>>> decode(packet)
(1, b'\x01')
"""

from __future__ import annotations

import struct

from smartlock.errors import ErrorCode, Fault, SmartlockError

START = 0xEF01
DEFAULT_ADDRESS = b"\xff\xff\xff\xff"
COMMAND, DATA, ACK, END_DATA = 0x01, 0x02, 0x07, 0x08
HEADER = 9  # start code, address, packet id, length

# Instructions (the datasheet's names)
GEN_IMG, IMG_2_TZ, MATCH, SEARCH, REG_MODEL, STORE = 0x01, 0x02, 0x03, 0x04, 0x05, 0x06
LOAD_CHAR, UP_CHAR, DOWN_CHAR, UP_IMAGE, DOWN_IMAGE = 0x07, 0x08, 0x09, 0x0A, 0x0B
DELETE_CHAR, EMPTY, READ_SYS_PARA, VERIFY_PWD = 0x0C, 0x0D, 0x0F, 0x13
HI_SPEED_SEARCH, TEMPLATE_NUM, READ_INDEX_TABLE, AURA_LED = 0x1B, 0x1D, 0x1F, 0x35

# Confirmation codes
OK, PACKET_ERROR, NO_FINGER, IMAGE_FAIL = 0x00, 0x01, 0x02, 0x03
IMAGE_MESSY, FEATURE_FAIL, NO_MATCH, NOT_FOUND = 0x06, 0x07, 0x08, 0x09
ENROLL_MISMATCH, BAD_LOCATION, UPLOAD_FAIL, DELETE_FAIL = 0x0A, 0x0B, 0x0F, 0x10
WRONG_PASSWORD, INVALID_IMAGE = 0x13, 0x15


class PacketError(SmartlockError, ValueError):
    """Bytes that are not a well-formed packet (the module answers PACKET_ERROR)."""

    code = ErrorCode.BAD_PACKET
    fault = Fault.PEER  # the other end of the serial line


def checksum(packet_id: int, body: bytes) -> int:
    length = len(body) + 2
    return (packet_id + (length >> 8) + (length & 0xFF) + sum(body)) & 0xFFFF


def encode(packet_id: int, payload: bytes, address: bytes = DEFAULT_ADDRESS) -> bytes:
    """One packet around `payload`."""
    head = struct.pack(">H", START) + address + struct.pack(">BH", packet_id, len(payload) + 2)
    return head + payload + struct.pack(">H", checksum(packet_id, payload))


def packet_size(buffer: bytes) -> int | None:
    """The size of the packet at the start of `buffer`, None until its header is in."""
    if len(buffer) < HEADER:
        return None
    length: int = struct.unpack(">H", buffer[7:9])[0]
    return HEADER + length


def decode(packet: bytes, address: bytes = DEFAULT_ADDRESS) -> tuple[int, bytes]:
    """(packet id, payload) of one whole packet; raises `PacketError`."""
    if len(packet) < HEADER + 2 or struct.unpack(">H", packet[:2])[0] != START:
        raise PacketError("no start code")
    if packet[2:6] != address:
        raise PacketError("another module's address")
    packet_id, length = struct.unpack(">BH", packet[6:9])
    if len(packet) != HEADER + length or length < 2:
        raise PacketError("length does not match")
    payload = packet[HEADER : HEADER + length - 2]
    (given,) = struct.unpack(">H", packet[-2:])
    if given != checksum(packet_id, payload):
        raise PacketError("bad checksum")
    return packet_id, payload
