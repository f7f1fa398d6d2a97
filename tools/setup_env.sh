#!/usr/bin/env bash
# Create .venv at the repository root and install mlx_compat into it, in
# editable mode, with the test extra (pytest, torch, scikit-learn, numpy).
#
#   bash tools/setup_env.sh
#
# Safe to run repeatedly: the install is skipped when mlx_compat already
# imports from .venv (checked with -I, so the source directory on the current
# path cannot stand in for the installed package) and none of the sources that go into the build have
# changed since the last successful install. Set SETUP_ENV_FORCE=1 to
# reinstall regardless, and PYTHON to pick the interpreter (default python3).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-python3}"
VENV=.venv
STAMP="$VENV/.mlx_compat_install_stamp"
export PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1

# Fingerprint of everything that affects the installed package.
source_hash() {
    local paths=() p
    for p in pyproject.toml CMakeLists.txt csrc mlx_compat; do
        if [[ -e "$p" ]]; then paths+=("$p"); fi
    done
    find "${paths[@]}" \
        -type f ! -name '*.pyc' ! -name '*.so' ! -path '*/__pycache__/*' -print0 \
        | LC_ALL=C sort -z \
        | xargs -0 -r sha256sum \
        | sha256sum \
        | cut -d' ' -f1
}

if [[ ! -x "$VENV/bin/python" ]]; then
    echo "==> creating virtual environment $VENV with $("$PYTHON" --version 2>&1)"
    "$PYTHON" -m venv "$VENV"
fi

hash="$(source_hash)"
if [[ "${SETUP_ENV_FORCE:-0}" != 1 && -f "$STAMP" && "$(cat "$STAMP")" == "$hash" ]] \
    && "$VENV/bin/python" -I -c "import mlx_compat" >/dev/null 2>&1; then
    echo "==> mlx_compat is installed in $VENV and up to date; nothing to do"
    exit 0
fi

echo "==> upgrading pip"
"$VENV/bin/python" -m pip install --upgrade pip </dev/null

echo "==> installing mlx_compat (editable) with the test extra"
rm -f "$STAMP"
"$VENV/bin/pip" install -e ".[test]" </dev/null

echo "==> checking that mlx_compat imports"
"$VENV/bin/python" -I -c "import mlx_compat"
echo "$hash" >"$STAMP"
echo "==> environment ready: $VENV"
