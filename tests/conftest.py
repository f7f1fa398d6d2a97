"""Makes the shared test helpers (parity.py, _nn_helpers.py) importable from every test folder."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
