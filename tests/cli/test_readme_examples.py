"""Executed documentation: every `amdx ...` example in the README runs and succeeds."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def _examples() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    lines = [line.split("#")[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line.startswith("amdx ")]


def test_the_readme_has_examples():
    assert len(_examples()) >= 5


def test_readme_examples_run(amdx, tmp_path):
    root = Path(__file__).resolve().parents[2]
    for line in _examples():
        words = shlex.split(line.replace("src/amdx/scenario/library/*.yaml", "LIBRARY"))
        redirect = None
        if ">" in words:
            at = words.index(">")
            redirect, words = words[at + 1], words[:at]
        if "LIBRARY" in words:
            words.remove("LIBRARY")
            words += sorted(str(p) for p in (root / "src/amdx/scenario/library").glob("*.yaml"))
        result = amdx(*words[1:], cwd=tmp_path)
        assert result.returncode == 0, f"{line}\n{result.stderr}"
        if redirect:
            (tmp_path / redirect).write_text(result.stdout)
            assert (tmp_path / redirect).stat().st_size > 0
    if not _examples():
        pytest.fail("no examples found")
