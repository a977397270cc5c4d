"""LFW-style photo folders for the bench, and an on-disk cache of their embeddings.

Embedding all of lfw-dev takes minutes on the lock-class CPU, so each image's readings
are computed once and kept under ~/.cache/smartlock, never in the repository: our
pipeline on a 640×480 frame (keyed by the pipeline version, so a detector or model
change never reuses stale data) and, apart, the plain baseline on the raw image (HOG
with one upsample: slow, unchanging, and only needed for the baseline's accuracy).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from smartlock.face import models
from smartlock.face.quality import QualityMeasure

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

FRAME_SIZE = (640, 480)
QUALITY_FIELDS = tuple(QualityMeasure.__slots__)
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "smartlock" / "face"


def list_people(data_dir: Path) -> dict[str, list[Path]]:
    """Person name → their image paths, both sorted, from `DIR/<Name>/<image>`."""
    if not data_dir.is_dir():
        raise FileNotFoundError(f"no such data folder: {data_dir}")
    people: dict[str, list[Path]] = {}
    for person in sorted(p for p in data_dir.iterdir() if p.is_dir()):
        images = sorted(f for f in person.iterdir() if f.suffix.lower() in IMAGE_SUFFIXES)
        if images:
            people[person.name] = images
    if not people:
        raise ValueError(f"{data_dir} holds no <person>/<image> folders")
    return people


def place_in_frame(
    image: NDArray[np.uint8], size: tuple[int, int] = FRAME_SIZE
) -> NDArray[np.uint8]:
    """Paste a small photo at the centre of a mid-grey camera-sized frame."""
    import numpy as np

    width, height = size
    frame = np.full((height, width, 3), 128, dtype=np.uint8)
    h, w = min(image.shape[0], height), min(image.shape[1], width)
    top, left = (height - h) // 2, (width - w) // 2
    frame[top : top + h, left : left + w] = image[:h, :w]
    return frame


@dataclass(frozen=True, slots=True)
class Readings:
    """Cached readings of one image by the lock's pipeline; NaN rows mean "no face"."""

    embedding: NDArray[np.float32]  # our pipeline, 128
    mirrored: NDArray[np.float32]  # our pipeline on the flipped chip, 128
    quality: NDArray[np.float32]  # QUALITY_FIELDS in order


def _quality_row(quality: QualityMeasure | None) -> NDArray[np.float32]:
    import numpy as np

    if quality is None:
        return np.full(len(QUALITY_FIELDS), np.nan, dtype=np.float32)
    return np.array([float(getattr(quality, f)) for f in QUALITY_FIELDS], dtype=np.float32)


def measure_quality(path: Path) -> NDArray[np.float32]:
    """Only the quality row of an image (cheap: no embedding)."""
    from smartlock.face.decode import load_image
    from smartlock.face.engine import FaceEngine

    return _quality_row(FaceEngine().analyse(place_in_frame(load_image(path))).quality)


def compute_readings(path: Path) -> Readings:
    """Run the lock's pipeline on one photo placed in a 640×480 frame."""
    import numpy as np

    from smartlock.face.decode import load_image
    from smartlock.face.embed import embed_chips, mirrored
    from smartlock.face.engine import FaceEngine

    nan128 = np.full(128, np.nan, dtype=np.float32)
    analysis = FaceEngine().analyse(place_in_frame(load_image(path)))
    emb = flip = nan128
    if analysis.chip is not None and analysis.quality is not None:
        emb, flip = embed_chips([analysis.chip, mirrored(analysis.chip)])
    return Readings(emb, flip, _quality_row(analysis.quality))


def compute_baseline(path: Path) -> NDArray[np.float32]:
    """The plain dlib pipeline on the raw photo: HOG ×1 upsample, 5 points, one chip."""
    import numpy as np

    from smartlock.face.align import face_chip, find_landmarks
    from smartlock.face.decode import load_image
    from smartlock.face.detect import detect_faces
    from smartlock.face.embed import embed_chips

    image = load_image(path)
    boxes = detect_faces(image, upsample=1)
    if not boxes:
        return np.full(128, np.nan, dtype=np.float32)
    return np.asarray(embed_chips([face_chip(image, find_landmarks(image, boxes[0]))])[0])


class _NpzCache:
    """One small .npz per image under `<root>/<version>/<person>/` (atomic writes)."""

    version = ""

    def __init__(self, root: Path | None = None) -> None:
        self.root = (root or default_cache_dir()) / self.version

    def _file(self, image: Path) -> Path:
        return self.root / image.parent.name / (image.name + ".npz")

    def _load(self, image: Path) -> dict[str, NDArray[np.float32]] | None:
        import numpy as np

        file = self._file(image)
        if not file.exists():
            return None
        with np.load(file) as data:
            return {k: data[k] for k in data.files}

    def _save(self, image: Path, **arrays: object) -> None:
        import numpy as np

        file = self._file(image)
        file.parent.mkdir(parents=True, exist_ok=True)
        tmp = file.with_suffix(".tmp.npz")
        np.savez(tmp, **arrays)  # type: ignore[arg-type]
        tmp.replace(file)  # atomic: a killed job never leaves a half-written entry

    def get(self, image: Path) -> object | None:
        raise NotImplementedError

    def compute(self, image: Path) -> object:
        raise NotImplementedError

    def put(self, image: Path, value: object) -> None:
        raise NotImplementedError

    def fetch(self, image: Path) -> object:
        """Cached value, computing and storing it on a miss."""
        found = self.get(image)
        if found is None:
            found = self.compute(image)
            self.put(image, found)
        return found

    def fill(
        self,
        images: Iterable[Path],
        progress: Callable[[int], None] | None = None,
        jobs: int = 1,
    ) -> int:
        """Compute every missing entry, in `jobs` processes; returns how many."""
        missing = [image for image in images if self.get(image) is None]
        if jobs > 1 and len(missing) > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # spawn, not fork: the parent may hold onnxruntime / dlib state.
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(jobs, mp_context=context) as pool:
                found = pool.map(type(self).compute_static, missing, chunksize=8)
                for i, (image, value) in enumerate(zip(missing, found, strict=True)):
                    self.put(image, value)
                    if progress:
                        progress(i + 1)
            return len(missing)
        for i, image in enumerate(missing):
            self.put(image, self.compute(image))
            if progress:
                progress(i + 1)
        return len(missing)

    @staticmethod
    def compute_static(image: Path) -> object:
        raise NotImplementedError


class ReadingsCache(_NpzCache):
    """The lock pipeline's readings, keyed by `models.PIPELINE_VERSION`.

    A detector, alignment or model change bumps the version, so readings of two
    pipelines are never mixed.
    """

    version = models.PIPELINE_VERSION

    def get(self, image: Path) -> Readings | None:
        data = self._load(image)
        if data is None:
            return None
        found = Readings(data["embedding"], data["mirrored"], data["quality"])
        version = int(data["quality_version"]) if "quality_version" in data else 1
        if version != models.QUALITY_VERSION:
            found = Readings(found.embedding, found.mirrored, measure_quality(image))
            self.put(image, found)
        return found

    def put(self, image: Path, value: object) -> None:
        assert isinstance(value, Readings)
        self._save(
            image,
            embedding=value.embedding,
            mirrored=value.mirrored,
            quality=value.quality,
            quality_version=models.QUALITY_VERSION,
        )

    def compute(self, image: Path) -> Readings:
        return compute_readings(image)

    @staticmethod
    def compute_static(image: Path) -> Readings:
        return compute_readings(image)

    def fetch(self, image: Path) -> Readings:
        found = super().fetch(image)
        assert isinstance(found, Readings)
        return found


class BaselineCache(_NpzCache):
    """The plain dlib pipeline's embeddings (HOG ×1 upsample), which never change."""

    version = models.BASELINE_VERSION

    def get(self, image: Path) -> NDArray[np.float32] | None:
        data = self._load(image)
        return None if data is None else data["baseline"]

    def put(self, image: Path, value: object) -> None:
        self._save(image, baseline=value)

    def compute(self, image: Path) -> NDArray[np.float32]:
        return compute_baseline(image)

    @staticmethod
    def compute_static(image: Path) -> NDArray[np.float32]:
        return compute_baseline(image)

    def complete(self, images: Iterable[Path]) -> bool:
        """Whether every image already has its baseline reading."""
        return all(self._file(image).exists() for image in images)


def bench_order(people: dict[str, list[Path]], min_images: int = 7) -> list[Path]:
    """Images of likely residents first, so a partly filled cache is already useful."""
    rich = [p for name, imgs in people.items() if len(imgs) >= min_images for p in imgs]
    rest = [p for name, imgs in people.items() if len(imgs) < min_images for p in imgs]
    return rich + rest
