"""Suite-wide set-up: cheap password hashing (see smartlock.cloud.core.security)."""

from __future__ import annotations

import os

# Set before any smartlock.cloud import; inherited by the demo the e2e tests start.
os.environ.setdefault("SMARTLOCK_INSECURE_FAST_HASHING_FOR_TESTS", "1")
