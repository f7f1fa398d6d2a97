"""The C++ layers depend only downward: core -> ops -> autograd -> python, and
only csrc/python includes nanobind or Python.h. No package module imports mlx or torch."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ORDER = ["core", "ops", "autograd", "python"]
INCLUDE = re.compile(r'#include\s+"(\w+)/')


def test_cpp_layers_include_only_lower_layers():
    bad = []
    for layer in ORDER:
        allowed = set(ORDER[: ORDER.index(layer) + 1])
        for path in (ROOT / "csrc" / layer).glob("*.[ch]*"):
            text = path.read_text()
            for dep in INCLUDE.findall(text):
                if dep in ORDER and dep not in allowed:
                    bad.append(f"{path.relative_to(ROOT)} includes {dep}/")
            if layer != "python" and ("nanobind" in text or "Python.h" in text):
                bad.append(f"{path.relative_to(ROOT)} uses Python")
    assert not bad, bad


def test_python_package_never_imports_mlx_or_torch():
    bad = []
    pattern = re.compile(r"^\s*(import|from)\s+(mlx|torch)\b", re.M)
    for path in (ROOT / "mlx_compat").rglob("*.py"):
        if pattern.search(path.read_text()):
            bad.append(str(path.relative_to(ROOT)))
    assert not bad, bad
