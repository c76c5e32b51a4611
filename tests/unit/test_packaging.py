"""The wheel users install (issue 19 item 7): it ships `py.typed`, so their type checkers read the
typed arguments (`args.py`) instead of ignoring the package."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_wheel_ships_py_typed(tmp_path: Path) -> None:
    source = tmp_path / "source"  # a clean copy: no build/ or egg-info of an earlier build to read
    shutil.copytree(
        ROOT / "sagemaker_hosting", source / "sagemaker_hosting", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", source)
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path)]
    subprocess.run([*command, str(source)], check=True, cwd=tmp_path)
    (wheel,) = tmp_path.glob("sagemaker_hosting-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "sagemaker_hosting/py.typed" in names
    assert "sagemaker_hosting/args.py" in names and "sagemaker_hosting/emulator/server.py" in names
