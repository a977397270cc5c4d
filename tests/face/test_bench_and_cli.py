"""The bench runs the lock protocol on an LFW-style folder and prints what it promises.

Rules proved here (named in the tests' names): D-FACE-SENS.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from smartlock.device.core.inputs import FaceSeen, NoFace
from smartlock.face import cli
from smartlock.face.bench import half_images
from smartlock.face.decode import load_image
from smartlock.face.engine import FaceEngine
from smartlock.face.observation import to_input
from smartlock.face.split import Half
from smartlock.vocab import FaceRefusal


@pytest.fixture(scope="module")
def mini_lfw(lfw: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small folder laid out like lfw-dev/ (symlinks: photos are never copied)."""
    root = tmp_path_factory.mktemp("mini-lfw")
    chosen = {
        "Hugo_Chavez": 8,
        "Vladimir_Putin": 7,
        "Jean_Chretien": 7,
        "Ariel_Sharon": 7,
        "Gerhard_Schroeder": 7,
        "Andre_Agassi": 2,
    }
    for name, count in chosen.items():
        (root / name).mkdir()
        for photo in sorted((lfw / name).iterdir())[:count]:
            (root / name / photo.name).symlink_to(photo)
    return root


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    return int(args.handler(args))


def test_bench_json_has_far_frr_per_sensitivity_and_latency_D_FACE_SENS(
    mini_lfw: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from smartlock.face.bench import run_bench

    result = run_bench(
        mini_lfw,
        residents=2,
        trials=2,
        cache_dir=tmp_path / "cache",
        latency_frames=3,
        half=Half.ALL,
        baseline_accuracy=True,
    )
    assert result["half"] == "all"
    assert set(result["sensitivities"]) == {"low", "medium", "high"}
    for block in (result["sensitivities"], result["baseline"]["sensitivities"]):
        for figures in block.values():
            assert 0.0 <= figures["far"] <= 1.0 and 0.0 <= figures["frr"] <= 1.0
    assert result["genuine_attempts"] > 0 and result["impostor_attempts"] > 0
    assert 0 < result["latency_ms"]["p50"] <= result["latency_ms"]["p95"]
    assert result["baseline"]["latency_ms"]["p50"] > 0
    pair = result["two_faces"]  # how much of FRR is "one person at a time" refusals
    assert 0.0 <= pair["share_of_genuine"] <= 1.0
    assert set(pair["sensitivities_without_them"]) == {"low", "medium", "high"}
    # A second run reads the cache: same numbers.
    again = run_bench(
        mini_lfw,
        residents=2,
        trials=2,
        cache_dir=tmp_path / "cache",
        latency_frames=0,
        half=Half.ALL,
    )
    assert again["baseline"]["sensitivities"] == result["baseline"]["sensitivities"]
    assert again["sensitivities"] == result["sensitivities"]
    assert list((tmp_path / "cache").rglob("*.npz"))  # cached outside the repo


def test_cache_filled_by_two_processes_gives_the_same_figures(
    mini_lfw: Path, tmp_path: Path
) -> None:
    from smartlock.face.bench import run_bench

    def bench(cache: str, jobs: int) -> dict[str, object]:
        return run_bench(
            mini_lfw,
            residents=2,
            trials=2,
            cache_dir=tmp_path / cache,
            latency_frames=0,
            jobs=jobs,
            half=Half.ALL,
        )

    parallel = bench("parallel", 2)
    assert len(list((tmp_path / "parallel").rglob("*.npz"))) == 38  # every photo, once
    assert parallel["sensitivities"] == bench("serial", 1)["sensitivities"]


def test_bench_command_prints_json(
    mini_lfw: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["face", "bench", "--data", str(mini_lfw), "--cache", str(tmp_path)]
    assert _run([*argv, "--trials", "2", "--latency-frames", "2", "--json", "--half", "all"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) >= {"sensitivities", "latency_ms", "baseline", "half"}
    assert set(result["baseline"]) == {"sensitivities", "latency_ms"}
    medium = result["sensitivities"]["medium"]
    assert set(medium) >= {"threshold", "far", "frr", "far_accepted", "far_upper95"}
    assert medium["far_upper95"] >= medium["far"]
    assert set(result["latency_ms"]) == {"p50", "p95", "frames"}


def test_bench_reports_the_report_half_by_default_and_says_so(
    mini_lfw: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["face", "bench", "--data", str(mini_lfw), "--cache", str(tmp_path)]
    assert _run([*argv, "--trials", "2", "--latency-frames", "0", "--residents", "5"]) == 2
    # the mini folder's report half has 3 people with >= 7 photos: too few for 5 residents
    assert "≥ 7 images" in capsys.readouterr().err
    text = _bench_text(mini_lfw, tmp_path, "report")
    assert text.startswith("report half of") and "no threshold was chosen on" in text
    assert "impostor attempts cannot show FAR ≤ 1e-5" in text  # a tiny run says so
    people = {p.parent.name for p in half_images(mini_lfw, Half.REPORT)}
    assert people == {"Vladimir_Putin", "Jean_Chretien", "Gerhard_Schroeder"}
    assert "tuning half of" in _bench_text(mini_lfw, tmp_path, "tuning")


def _bench_text(data: Path, cache: Path, half: str) -> str:
    from smartlock.face.bench import format_report, run_bench

    result = run_bench(
        data, residents=2, trials=1, cache_dir=cache, latency_frames=0, half=Half(half)
    )
    return format_report(result)


def test_bench_command_refuses_bad_folders(
    mini_lfw: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # --residents accepts only the protocol's 5 or 50.
    with pytest.raises(SystemExit):
        _run(["face", "bench", "--data", str(mini_lfw), "--residents", "3"])
    too_few = tmp_path / "few"
    (too_few / "Hugo_Chavez").mkdir(parents=True)
    for photo in sorted((mini_lfw / "Hugo_Chavez").iterdir()):
        (too_few / "Hugo_Chavez" / photo.name).symlink_to(photo.resolve())
    argv = ["face", "bench", "--data", str(too_few), "--cache", str(tmp_path), "--json"]
    assert _run([*argv, "--half", "all"]) == 2 and "≥ 7 images" in capsys.readouterr().err
    # Hugo_Chavez is in the tuning half: the report half of this folder is empty.
    assert _run(argv) == 2 and "fall in the report half" in capsys.readouterr().err
    assert _run(["face", "bench", "--data", str(tmp_path / "absent")]) == 2
    assert "no such data folder" in capsys.readouterr().err


def test_read_command_explains_refusals(camera: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["face", "read", str(camera / "two_people.jpg")]) == 0
    assert "refused: more than one face" in capsys.readouterr().out
    assert _run(["face", "read", str(camera / "obama.jpg")]) == 0
    assert "usable face" in capsys.readouterr().out


def test_read_command_reports_bad_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "x.jpg"
    bad.write_bytes(b"\xff\xd8\xff garbage")
    assert _run(["face", "read", str(bad)]) == 2
    assert "error (bad_image)" in capsys.readouterr().err


def test_readings_become_core_inputs(camera: Path) -> None:
    engine = FaceEngine()
    seen = to_input(engine.read(load_image(camera / "obama.jpg")))
    assert isinstance(seen, FaceSeen) and len(seen.embedding) == 128
    assert 0.5 <= seen.quality <= 1.0 and seen.near  # the core enrols at quality ≥ 0.5
    two = to_input(engine.read(load_image(camera / "two_people.jpg")))
    assert two == NoFace(FaceRefusal.TWO_FACES)  # the lock says "one person at a time"
