"""The accessibility check every page gets (issue 16): axe-core (the copy bundled in
the ``axe-playwright-python`` package, injected by the test only; the app serves no
third-party code) with 0 serious or critical violations, and touch targets of at
least 44 px for every control a finger aims at.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe

_AXE = Axe()

# Controls that must be >= 44 px in both directions (WCAG 2.5.5). A link inside a
# sentence is exempt (2.5.8's inline exception); a checkbox counts with its label row.
TARGETS = (Path(__file__).parent / "targets.js").read_text()


def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now."""
    results = _AXE.run(page)
    out = []
    for v in results.response["violations"]:
        if v.get("impact") in ("serious", "critical"):
            nodes = ", ".join(str(n.get("target")) for n in v["nodes"][:4])
            out.append(f"{v['id']} ({v['impact']}): {nodes}")
    return out


def small_targets(page: Any) -> list[str]:
    return list(page.evaluate(TARGETS))


def check(page: Any, where: str) -> None:
    """Fail with every finding at once, naming the page."""
    problems = serious_violations(page) + [f"target < 44 px: {x}" for x in small_targets(page)]
    assert not problems, f"{where}: " + "; ".join(problems)
