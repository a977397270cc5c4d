#!/usr/bin/env bash
# A Home Assistant in its own virtualenv outside the repo, for `make test-ha`; made
# once and reused (delete the folder to refresh). Home Assistant 2026.x needs Python
# >= 3.14; we take the newest Python >= 3.12 this machine has and let pip pick the
# newest Home Assistant that installs on it. Prints the venv's python.
set -euo pipefail
venv="${1:-$HOME/.cache/smartlock/ha-venv}"
if [ ! -x "$venv/bin/hass" ]; then
  py=""
  for cand in python3.14 python3.13 python3.12 \
      $(ls -d "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python 2>/dev/null | sort -V -r); do
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
      py="$cand"; break
    fi
  done
  [ -n "$py" ] || { echo "no Python >= 3.12 for Home Assistant" >&2; exit 1; }
  echo "creating $venv with $("$py" --version)" >&2
  rm -rf "$venv"
  "$py" -m venv "$venv"
  "$venv/bin/pip" install -q -U pip >&2
  "$venv/bin/pip" install -q homeassistant >&2
fi
# The requirements of the integrations the test loads (HA would pip-install them at
# start; the test runs it with --skip-pip so nothing is fetched at run time).
reqs=$("$venv/bin/python" - <<'PY'
import json, pathlib, homeassistant.components as c
root = pathlib.Path(c.__path__[0])
todo, seen, reqs = ["mqtt", "camera", "onboarding", "config", "api", "http", "lock", "event",
                    "update", "binary_sensor", "sensor", "frontend"], set(), set()
while todo:
    d = todo.pop()
    if d in seen or not (root / d / "manifest.json").exists():
        continue
    seen.add(d)
    m = json.loads((root / d / "manifest.json").read_text())
    reqs.update(m.get("requirements", []))
    todo += m.get("dependencies", [])
print(" ".join(sorted(reqs)))
PY
)
if [ -n "$reqs" ]; then
  "$venv/bin/pip" install -q $reqs >&2  # quick when they are already there
fi
echo "$venv/bin/python"
