"""Enrol real people from photos, recognise new photos of them, refuse everybody else.

Rules proved here (named in the tests' names): D-FACE-ENROL, D-FACE-SENS, D-USER-5.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from smartlock.device.core.ports import FaceMatcher, FaceTemplate
from smartlock.face.calibration import RULES
from smartlock.face.decode import load_image
from smartlock.face.engine import FaceEngine
from smartlock.face.enrol import templates_from_photos
from smartlock.face.errors import EnrolmentError
from smartlock.face.matching import GalleryMatcher
from smartlock.face.quality import Refusal
from smartlock.vocab import Sensitivity

from .conftest import frame_of, photos

RESIDENTS = {1: "Colin_Powell", 2: "Gerhard_Schroeder", 3: "Hugo_Chavez"}
STRANGERS = ["Ariel_Sharon", "Vladimir_Putin", "Jean_Chretien", "Angelina_Jolie", "Andre_Agassi"]


def _embeddings(paths: list[Path]) -> list[tuple[float, ...]]:
    engine = FaceEngine()
    out = []
    for path in paths:
        reading = engine.read(frame_of(path))
        if reading.embedding is not None:
            out.append(reading.embedding)
    return out


@pytest.fixture(scope="module")
def gallery(lfw: Path) -> list[FaceTemplate]:
    templates: list[FaceTemplate] = []
    for user_no, name in RESIDENTS.items():
        frames = [frame_of(p) for p in photos(lfw, name, 5)]
        templates += templates_from_photos(user_no, frames)
    return templates


@pytest.fixture(scope="module")
def genuine(lfw: Path) -> list[tuple[float, ...]]:
    return _embeddings(photos(lfw, "Colin_Powell", 8, start=5))


@pytest.fixture(scope="module")
def strangers(lfw: Path) -> list[tuple[float, ...]]:
    paths = [p for name in STRANGERS if (lfw / name).is_dir() for p in photos(lfw, name, 3)]
    return _embeddings(paths)


def test_matcher_implements_the_core_port() -> None:
    matcher: FaceMatcher = GalleryMatcher()
    assert isinstance(matcher, GalleryMatcher)


def test_enrolled_person_recognised_from_new_photos_D_FACE_ENROL(
    gallery: list[FaceTemplate], genuine: list[tuple[float, ...]]
) -> None:
    assert len(gallery) == 3 * 5  # 5 photos each, one flip-averaged template a photo
    matcher = GalleryMatcher()
    verdicts = [matcher.identify(e, gallery, Sensitivity.LOW) for e in genuine]
    assert len(genuine) >= 6
    assert sum(v is not None and v.user_no == 1 for v in verdicts) >= len(genuine) - 1
    assert all(v is None or v.user_no == 1 for v in verdicts)  # never the wrong resident


def test_strangers_refused_at_every_sensitivity_D_FACE_SENS(
    gallery: list[FaceTemplate], strangers: list[tuple[float, ...]]
) -> None:
    matcher = GalleryMatcher()
    assert len(strangers) >= 10
    for sens in (Sensitivity.MEDIUM, Sensitivity.HIGH):
        assert [matcher.identify(e, gallery, sens) for e in strangers] == [None] * len(strangers)


def test_higher_sensitivity_accepts_no_more_D_FACE_SENS(
    gallery: list[FaceTemplate], genuine: list[tuple[float, ...]]
) -> None:
    matcher = GalleryMatcher()
    accepted = {
        s: sum(matcher.identify(e, gallery, s) is not None for e in genuine) for s in Sensitivity
    }
    assert accepted[Sensitivity.LOW] >= accepted[Sensitivity.MEDIUM] >= accepted[Sensitivity.HIGH]
    assert RULES[Sensitivity.LOW].threshold > RULES[Sensitivity.HIGH].threshold


def test_face_of_another_user_is_a_duplicate_D_USER_5(
    gallery: list[FaceTemplate],
    genuine: list[tuple[float, ...]],
    strangers: list[tuple[float, ...]],
) -> None:
    matcher = GalleryMatcher()
    assert matcher.duplicate_of(genuine[0], gallery) == 1
    assert all(matcher.duplicate_of(e, gallery) is None for e in strangers)
    assert matcher.duplicate_of(genuine[0], []) is None


def test_duress_template_reported_with_the_match(camera: Path) -> None:
    obama = templates_from_photos(
        7, [load_image(camera / "knn_examples/train/obama/obama.jpg")], duress=True
    )
    biden = templates_from_photos(8, [load_image(camera / "knn_examples/train/biden/biden2.jpg")])
    probe = FaceEngine().read(load_image(camera / "obama-720p.jpg")).embedding
    assert probe is not None
    match = GalleryMatcher().identify(probe, obama + biden, Sensitivity.MEDIUM)
    assert match is not None and match.user_no == 7 and match.duress


def test_camera_photos_told_apart(camera: Path) -> None:
    train = camera / "knn_examples" / "train"
    templates = templates_from_photos(
        1, [load_image(train / "obama" / n) for n in ("obama.jpg", "obama2.jpg")]
    ) + templates_from_photos(2, [load_image(train / "biden" / "biden2.jpg")])
    engine, matcher = FaceEngine(), GalleryMatcher()
    for name, user in (("obama-1080p.jpg", 1), ("obama-240p.jpg", 1), ("biden.jpg", 2)):
        probe = engine.read(load_image(camera / name)).embedding
        assert probe is not None
        match = matcher.identify(probe, templates, Sensitivity.LOW)
        assert match is not None and match.user_no == user, name


def test_enrolment_refuses_a_bad_photo_and_stores_nothing(camera: Path) -> None:
    good = load_image(camera / "obama.jpg")
    pair = load_image(camera / "two_people.jpg")
    with pytest.raises(EnrolmentError, match="photo 2: more than one face"):
        templates_from_photos(1, [good, pair])


def test_bad_embedding_rejected_clearly(gallery: list[FaceTemplate]) -> None:
    with pytest.raises(ValueError, match="128"):
        GalleryMatcher().identify([0.1] * 5, gallery, Sensitivity.MEDIUM)
    assert GalleryMatcher().identify([0.0] * 128, [], Sensitivity.LOW) is None


def _two_in_view(lfw: Path, centre_x: tuple[int, int]) -> np.ndarray:
    """A 640×480 frame with two LFW faces (their photos' middle 150 px) side by side."""
    frame = np.full((480, 640, 3), 128, dtype=np.uint8)
    for path, x in zip(
        (photos(lfw, "Colin_Powell", 1, start=5)[0], photos(lfw, "Ariel_Sharon", 1)[0]),
        centre_x,
        strict=True,
    ):
        face = load_image(path)[50:200, 50:200]
        frame[165:315, x - 75 : x + 75] = face
    return frame


def test_resident_with_a_companion_beside_is_read_two_side_by_side_refused_D_FACE_ENROL(
    lfw: Path, gallery: list[FaceTemplate]
) -> None:
    """The person presenting is the face nearest the centre of view; a companion a face
    width or more further out does not stop the resident, two equally central do."""
    engine, matcher = FaceEngine(), GalleryMatcher()
    beside = engine.read(_two_in_view(lfw, (320, 545)))  # resident centred, guest beside
    assert beside.embedding is not None, beside.reason
    match = matcher.identify(beside.embedding, gallery, Sensitivity.MEDIUM)
    assert match is not None and match.user_no == 1
    swapped = engine.read(_two_in_view(lfw, (545, 320)))  # the stranger centred, resident aside
    assert swapped.embedding is not None
    assert matcher.identify(swapped.embedding, gallery, Sensitivity.LOW) is None
    pair = engine.read(_two_in_view(lfw, (240, 400)))  # both as central: who is it?
    assert pair.refusal is Refusal.TWO_FACES and "one person" in pair.reason
