"""Pictures that may leave the lock (A-LIVE) without a face in them (D-PRIV).

The doorbell snapshot and the live view show the app *who is at the door as a
figure* (clothes, a parcel, how many people), never a face. So every image that leaves
the lock is made here, on the lock:

1. faces are found generously with BlazeFace (`find_faces`: both models on the frame
   at ≤ 640 px wide, the full-range one on each half of it for faces far away, the
   short-range one on the frame turned ±30° for tilted heads, all at a low score
   threshold): a false alarm only blanks a patch of wall, a miss would leak a face, so
   the detector is tuned to miss as little as possible;
2. each face box is grown by a wide margin (hair, ears, a turned head) and replaced by
   a few coarse blocks of its average colours (no features survive);
3. the picture is scaled down to at most 320×240, which also leaves too few pixels for
   a face the detector missed to be recognised;
4. the small picture is checked again with BlazeFace; anything found is masked too,
   and if a face still shows after that the picture is refused (`SnapshotError`): the
   lock fails closed, the app gets no image;
5. JPEG quality (then size) goes down until the bytes fit `MAX_JPEG_BYTES`, so one
   picture, base64-encoded and signed, fits a link message (16 KiB).

Neither the frame nor any face crop is ever kept or logged here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smartlock.errors import ErrorCode
from smartlock.face.decode import as_frame
from smartlock.face.detect import FaceBox, merge_boxes
from smartlock.face.errors import FaceError, ImageError

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

MAX_JPEG_BYTES = 11 * 1024  # = link.schemas.MAX_SNAPSHOT_JPEG (checked by a test)
OUT_SIZE = (320, 240)  # width, height: the largest picture that leaves the lock
DETECT_WIDTH = 640  # detection runs on the frame shrunk to this width
MIN_SCORE = 0.3  # BlazeFace score threshold, below mediapipe's 0.5 (bench/snapshot_privacy.py)
RECHECK_SCORE = 0.5  # the small picture is re-checked at mediapipe's own threshold
TURNS = (30.0, -30.0)  # the frame is also searched turned by these angles (tilted heads)
TURN_MODELS = ("short",)  # in a turned frame the short-range model suffices, and is cheaper
SEARCH_HALVES = True  # and each half of a landscape frame (faces far away)
MARGIN = 0.5  # each face box grows by this fraction of its size on every side
BLOCKS = 3  # a masked face becomes BLOCKS × BLOCKS flat tiles
RECHECKS = 2  # passes of detect-and-mask on the small picture before refusing it
QUALITIES = (70, 60, 50, 40, 30, 20)


class SnapshotError(FaceError):
    """No picture could be made that is safe to send (a face kept showing)."""

    code = ErrorCode.SNAPSHOT_REFUSED


def masked_snapshot(
    frame: object,
    *,
    max_bytes: int = MAX_JPEG_BYTES,
    size: tuple[int, int] = OUT_SIZE,
) -> bytes:
    """A JPEG of `frame` (RGB camera array) with every face masked, ≤ `max_bytes`.

    `ImageError` for something that is not a usable frame, `SnapshotError` when a face
    could not be masked away (then nothing may be sent).
    """
    import numpy as np

    rgb = as_frame(frame)
    regions = mask_regions(rgb)
    masked = rgb.copy()
    for region in regions:
        _tile(masked, region)
    small = _shrink(masked, size[0], size[1])
    f = small.shape[1] / rgb.shape[1]
    done = np.zeros(small.shape[:2], dtype=bool)  # already flat tiles: no face can be there
    for left, top, right, bottom in regions:
        done[int(top * f) : int(bottom * f) + 1, int(left * f) : int(right * f) + 1] = True

    def still_showing() -> list[FaceBox]:
        found = find_faces(small, thorough=False, min_score=RECHECK_SCORE)
        return [b for b in found if done[b.top : b.bottom, b.left : b.right].mean() < 0.9]

    for _ in range(RECHECKS):
        boxes = still_showing()
        if not boxes:
            break
        for box in boxes:
            region = _grown(box, small.shape[1], small.shape[0])
            _tile(small, region)
            done[region[1] : region[3], region[0] : region[2]] = True
    else:
        if still_showing():
            raise SnapshotError("a face still shows after masking; no picture is sent")
    return _encode(small, max_bytes)


def mask_faces(rgb: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """A copy of the full-size frame with every face found replaced by flat tiles."""
    masked = rgb.copy()
    for region in mask_regions(rgb):
        _tile(masked, region)
    return masked


def mask_regions(
    rgb: NDArray[np.uint8], min_score: float | None = None
) -> list[tuple[int, int, int, int]]:
    """(left, top, right, bottom) of each area `mask_faces` blanks, in frame pixels."""
    detect = _shrink(rgb, DETECT_WIDTH)
    scale = rgb.shape[1] / detect.shape[1]
    h, w = rgb.shape[:2]
    found = find_faces(detect, min_score=MIN_SCORE if min_score is None else min_score)
    return [_grown(_scaled(box, scale), w, h) for box in found]


def find_faces(
    frame: NDArray[np.uint8], *, thorough: bool = True, min_score: float = MIN_SCORE
) -> list[FaceBox]:
    """Faces as generously as BlazeFace allows, as boxes upright in `frame`.

    The full-range model at a low threshold on the whole frame; `thorough` adds the
    short-range one there too (it catches half-covered faces the other misses), the
    full-range one on the left and right halves (a face far away is twice as many
    model pixels) and the short-range one on the frame turned by each of `TURNS` (a
    box found there is mapped back as the upright box around it). Which passes are
    needed was measured with bench/snapshot_privacy.py (docs/face.md): without the
    halves a small face was missed, without the turns or the whole-frame short-range
    pass, half-covered ones.
    """
    from smartlock.face.detect import find_faces as blaze

    boxes = blaze(frame, min_score=min_score, models_=("full", "short"), every_model=thorough)
    if not thorough:
        return boxes
    h, w = frame.shape[:2]
    if SEARCH_HALVES and w >= 2 * h * 0.6:  # a landscape frame: search each half too
        cut = w // 2
        overlap = w // 8
        for x0, x1 in ((0, cut + overlap), (cut - overlap, w)):
            part = [_moved(b, x0) for b in blaze(frame[:, x0:x1], min_score=min_score)]
            boxes = merge_boxes(boxes, part)
    for angle in TURNS:
        boxes = merge_boxes(boxes, _turned_faces(frame, angle, min_score))
    # A doubtful box (under mediapipe's 0.5) wider than half the frame's height is the
    # short-range model's artefact on small faces, not a face: it would blank the figure.
    return [b for b in boxes if b.score >= RECHECK_SCORE or b.width <= h / 2]


def _moved(box: FaceBox, dx: int) -> FaceBox:
    return FaceBox(box.left + dx, box.top, box.right + dx, box.bottom, box.score)


def _turned_faces(frame: NDArray[np.uint8], angle: float, min_score: float) -> list[FaceBox]:
    """Faces found in `frame` turned by `angle`°, as upright boxes in `frame`."""
    import cv2
    import numpy as np

    from smartlock.face.detect import find_faces as blaze

    h, w = frame.shape[:2]
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    turned: NDArray[np.uint8] = np.asarray(
        cv2.warpAffine(
            frame, turn, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        ),
        dtype=np.uint8,
    )
    back = cv2.invertAffineTransform(turn)
    out = []
    for b in blaze(turned, min_score=min_score, models_=TURN_MODELS):
        corners = np.array(
            [
                [b.left, b.top, 1],
                [b.right, b.top, 1],
                [b.right, b.bottom, 1],
                [b.left, b.bottom, 1],
            ],
            dtype=np.float64,
        )
        pts = corners @ back.T
        out.append(
            FaceBox(
                int(pts[:, 0].min()),
                int(pts[:, 1].min()),
                int(pts[:, 0].max()) + 1,
                int(pts[:, 1].max()) + 1,
                b.score,
            )
        )
    return out


def _shrink(frame: NDArray[np.uint8], width: int, height: int | None = None) -> NDArray[np.uint8]:
    """`frame` scaled down (never up) to fit width × height, aspect kept."""
    import cv2
    import numpy as np

    h, w = frame.shape[:2]
    factor = min(1.0, width / w, (height or h) / h)
    if factor >= 1.0:
        return np.ascontiguousarray(frame)
    out = cv2.resize(
        frame, (max(1, round(w * factor)), max(1, round(h * factor))), interpolation=cv2.INTER_AREA
    )
    return np.ascontiguousarray(out, dtype=np.uint8)


def _scaled(box: FaceBox, scale: float) -> FaceBox:
    return FaceBox(
        left=int(box.left * scale),
        top=int(box.top * scale),
        right=int(box.right * scale + 1),
        bottom=int(box.bottom * scale + 1),
        score=box.score,
    )


def _grown(box: FaceBox, w: int, h: int) -> tuple[int, int, int, int]:
    """The face box plus `MARGIN` on every side (hair, ears, a turned head), clipped."""
    mx, my = round(box.width * MARGIN), round(box.height * MARGIN)
    return (
        max(0, box.left - mx),
        max(0, box.top - my),
        min(w, box.right + mx),
        min(h, box.bottom + my),
    )


def _mask(image: NDArray[np.uint8], box: FaceBox) -> None:
    """Replace the face box plus a wide margin by a few flat tiles, in place."""
    h, w = image.shape[:2]
    _tile(image, _grown(box, w, h))


def _tile(image: NDArray[np.uint8], region_box: tuple[int, int, int, int]) -> None:
    """Replace a region by BLOCKS × BLOCKS flat tiles of its average colours, in place."""
    import cv2

    left, top, right, bottom = region_box
    if right <= left or bottom <= top:
        return
    region = image[top:bottom, left:right]
    tiles = cv2.resize(region, (BLOCKS, BLOCKS), interpolation=cv2.INTER_AREA)
    image[top:bottom, left:right] = cv2.resize(
        tiles, (right - left, bottom - top), interpolation=cv2.INTER_NEAREST
    )


def _encode(image: NDArray[np.uint8], max_bytes: int) -> bytes:
    """JPEG at the best quality (then size) that fits `max_bytes`."""
    import cv2

    bgr = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    while True:
        for quality in QUALITIES:
            ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, quality])
            if not ok:
                raise ImageError("the picture could not be encoded as JPEG")
            if len(buf) <= max_bytes:
                return bytes(buf.tobytes())
        h, w = bgr.shape[:2]
        if w <= 32 or h <= 32:
            raise ImageError(f"no JPEG of this picture fits {max_bytes} bytes")
        bgr = cv2.resize(bgr, (w * 3 // 4, h * 3 // 4), interpolation=cv2.INTER_AREA)
