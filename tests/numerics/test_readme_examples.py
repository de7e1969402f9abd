"""Every Python example in the README runs as written (executed in a scratch directory: it writes files)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def test_the_readme_has_python_examples():
    assert BLOCKS, "no ```python block found in README.md"


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_runs(index, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__readme__"}
    exec(compile(BLOCKS[index], f"README.md python block {index}", "exec"), namespace)
    if "mon" in namespace:  # the monitor example: its files were written and the CLI reads the record
        from spectral_universality import cli

        assert (tmp_path / "run.png").is_file()
        assert cli.main(["classify", str(tmp_path / "run.json")]) == 0
