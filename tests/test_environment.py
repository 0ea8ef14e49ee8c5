"""The conda/Binder environment agrees with the pinned pip list."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pins(lines):
    found = {}
    for line in lines:
        match = re.match(r"^\s*(?:-\s+)?([A-Za-z0-9_.\-]+)==([^\s#]+)", line)
        if match:
            found[match.group(1).lower().replace("_", "-")] = match.group(2)
    return found


def test_environment_yml_pins_equal_requirements_txt():
    locked = pins((ROOT / "requirements.txt").read_text().splitlines())
    conda = pins((ROOT / "environment.yml").read_text().splitlines())
    assert conda, "environment.yml pins nothing"
    mismatched = {name: (version, locked.get(name)) for name, version in conda.items() if locked.get(name) != version}
    assert not mismatched, f"environment.yml (left) and requirements.txt (right) disagree: {mismatched}"


def test_environment_yml_lists_every_direct_dependency_and_the_library():
    direct = [line.split("#")[0].strip().lower() for line in (ROOT / "requirements.in").read_text().splitlines()]
    direct = [name for name in direct if name]
    conda = pins((ROOT / "environment.yml").read_text().splitlines())
    assert sorted(set(direct) - set(conda)) == []
    assert "- -e ." in (ROOT / "environment.yml").read_text()


def test_every_direct_dependency_is_pinned():
    locked = pins((ROOT / "requirements.txt").read_text().splitlines())
    direct = [line.split("#")[0].strip().lower() for line in (ROOT / "requirements.in").read_text().splitlines()]
    assert [name for name in direct if name and name not in locked] == []
