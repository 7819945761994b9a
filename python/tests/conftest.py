"""Shared fixtures: the repository's paths and the gazmap binary the CLI comparisons use."""

from __future__ import annotations

import os
import pathlib
import shutil

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def root() -> pathlib.Path:
    return ROOT


@pytest.fixture(scope="session")
def gazmap_bin() -> str:
    """The gazmap command line: $GAZMAP_BIN (required to exist when set, as in CI), else
    target/debug/gazmap or gazmap on PATH; the CLI comparisons are skipped without one."""
    env = os.environ.get("GAZMAP_BIN")
    if env:
        assert os.access(env, os.X_OK), f"GAZMAP_BIN={env} is not an executable"
        return env
    for candidate in (ROOT / "target/debug/gazmap", ROOT / "target/release/gazmap"):
        if os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("gazmap")
    if not found:
        pytest.skip("no gazmap binary (build it with cargo build, or set GAZMAP_BIN)")
    return found
