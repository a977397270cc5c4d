"""Size limits on the code in src/ (issue 18): no module over 400 lines, no function
over 60 (a function's lines include the functions defined inside it).

Nothing is over either limit, and there is no allow-list: split what grows.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def _modules() -> list[tuple[str, str]]:
    package = SRC / "smartlock"
    return [(p.relative_to(package).as_posix(), p.read_text()) for p in package.rglob("*.py")]


def test_no_module_is_over_400_lines() -> None:
    long = {name for name, text in _modules() if len(text.splitlines()) > MAX_MODULE_LINES}
    assert long == set(), "split these modules"


def test_no_function_is_over_60_lines() -> None:
    long: set[str] = set()
    for name, text in _modules():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno is not None
                if node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES:
                    long.add(f"{name}:{node.name}")
    assert long == set(), "split these functions"
