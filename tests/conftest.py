"""Test-wide settings: the working-day cache lives in a temporary folder, never in ~/.cache."""

from __future__ import annotations

import os
import tempfile

os.environ["REERISK_CACHE_DIR"] = tempfile.mkdtemp(prefix="reerisk-test-cache-")
