from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def run_amdx(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real `amdx` command in a child process, as a user would."""
    return subprocess.run([sys.executable, "-m", "amdx", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


@pytest.fixture(scope="session")
def amdx():
    return run_amdx
