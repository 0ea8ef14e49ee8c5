"""The pinned environment: requirements.txt installs on every supported Python, environment.yml
agrees with it, and `make` stops with one clear line on a Python outside the supported range."""

import os
import re
import subprocess
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
MAKEFILE = (ROOT / "Makefile").read_text()
PY_MIN = re.search(r"^PY_MIN\s*:?=\s*(\S+)", MAKEFILE, re.M).group(1)
PY_MAX = re.search(r"^PY_MAX\s*:?=\s*(\S+)", MAKEFILE, re.M).group(1)


def minor(version):
    return int(version.split(".")[1])


# Each supported minor version at its first and a late micro release: markers such as
# python_full_version < '3.11.5' (Debian 12's python3 is 3.11.2) fall between the two.
SUPPORTED = [f"3.{m}.{micro}" for m in range(minor(PY_MIN), minor(PY_MAX) + 1) for micro in (0, 99)]


def name(raw):
    return raw.lower().replace("_", "-")


# Every lock a make target installs: the notebooks (.venv), the JupyterLite build (.venv-lite), the site (.venv-site).
LOCKS = ["requirements", "lite/requirements", "site/requirements"]


def direct_dependencies(lock="requirements"):
    lines = (ROOT / f"{lock}.in").read_text().splitlines()
    return [name(Requirement(line.split("#")[0].strip()).name) for line in lines if line.split("#")[0].strip()]


def lock_lines(lock="requirements"):
    lines = (ROOT / f"{lock}.txt").read_text().splitlines()
    return [Requirement(line.split("  #")[0].strip()) for line in lines if line.split("#")[0].strip()]


def lock_for(python, lock="requirements"):
    """{package: [versions]} that pip installs from a lock on this platform with `python`."""
    env = default_environment() | {"python_version": ".".join(python.split(".")[:2]), "python_full_version": python}
    chosen = {}
    for req in lock_lines(lock):
        if req.marker is None or req.marker.evaluate(env):
            chosen.setdefault(name(req.name), []).append(str(req.specifier).removeprefix("=="))
    return chosen


def conda_pins():
    found = {}
    for line in (ROOT / "environment.yml").read_text().splitlines():
        match = re.match(r"^\s*-\s+([A-Za-z0-9_.\-]+)==([^\s#]+)", line)
        if match:
            found[name(match.group(1))] = match.group(2)
    return found


def test_supported_range_is_read_from_the_makefile():
    assert SUPPORTED[0] == f"{PY_MIN}.0" and SUPPORTED[-1] == f"{PY_MAX}.99" and len(SUPPORTED) >= 2


@pytest.mark.parametrize("lock", LOCKS)
def test_every_line_of_the_lock_pins_one_version(lock):
    loose = [str(req) for req in lock_lines(lock) if not str(req.specifier).startswith("==") or "," in str(req.specifier)]
    assert lock_lines(lock) and loose == []


@pytest.mark.parametrize("lock", LOCKS)
@pytest.mark.parametrize("python", SUPPORTED)
def test_every_direct_dependency_is_pinned_once_for_every_supported_python(python, lock):
    chosen = lock_for(python, lock)
    missing = [dep for dep in direct_dependencies(lock) if dep not in chosen]
    twice = {dep: versions for dep, versions in chosen.items() if len(versions) > 1}
    assert missing == [], f"{lock}.txt pins nothing for {missing} on Python {python}: run 'make pins'"
    assert twice == {}, f"{lock}.txt pins two versions on Python {python}: {twice}"


@pytest.mark.parametrize("lock", LOCKS)
def test_the_lock_is_made_from_its_in_file(lock):
    header = (ROOT / f"{lock}.txt").read_text().splitlines()[:3]
    assert any("make pins" in line and "universal" in line for line in header), f"{lock}.txt is not a 'make pins' lock"


def test_environment_yml_pins_equal_requirements_txt_for_its_python():
    conda = conda_pins()
    python = re.search(r"^\s*-\s+python=(\d+\.\d+)\s*$", (ROOT / "environment.yml").read_text(), re.M).group(1)
    assert conda, "environment.yml pins nothing"
    for micro in (0, 99):  # python=3.11 lets conda take any 3.11.x
        locked = lock_for(f"{python}.{micro}")
        mismatched = {dep: (version, locked.get(dep)) for dep, version in conda.items() if locked.get(dep) != [version]}
        assert not mismatched, f"environment.yml (left) and requirements.txt on Python {python}.{micro} (right) disagree: {mismatched}"


def test_environment_yml_lists_every_direct_dependency_and_the_library():
    assert sorted(set(direct_dependencies()) - set(conda_pins())) == []
    assert "- -e ." in (ROOT / "environment.yml").read_text()


def test_the_lock_keeps_the_versions_the_stored_outputs_were_made_with():
    # The notebooks' outputs are produced on Python 3.11 with numpy 2.4 and matplotlib 3.11 (environment.yml);
    # the lock must give exactly those on 3.11, whatever it gives other Pythons.
    locked = lock_for("3.11.7")
    conda = conda_pins()
    assert locked["numpy"] == [conda["numpy"]] and locked["matplotlib"] == [conda["matplotlib"]]


def fake_python(directory, version):
    """An executable that answers the version check like a Python of that version."""
    path = directory / f"python-{version}"
    path.write_text(f"#!/bin/sh\necho {version}\n")
    path.chmod(0o755)
    return path


def check(python, venv, explicit=1):
    return subprocess.run(
        ["sh", str(ROOT / "tools" / "check_python.sh"), str(python), str(venv), PY_MIN, PY_MAX, str(explicit), "lab"],
        capture_output=True, text=True, env=os.environ | {"PATH": "/usr/bin:/bin"},
    )


@pytest.mark.parametrize("version", ["3.9.18", "3.14.0", "2.7.18"])
def test_a_python_outside_the_range_gets_one_clear_line(tmp_path, version):
    result = check(fake_python(tmp_path, version), tmp_path / "no-venv")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and result.stderr == "", result.stdout + result.stderr
    assert lines[0].startswith(f"Python {version} found") and f"the series needs {PY_MIN}-{PY_MAX}" in lines[0]
    assert "make PYTHON=python3." in lines[0]


@pytest.mark.parametrize("version", [f"{PY_MIN}.0", f"{PY_MAX}.5"])
def test_a_supported_python_passes_silently(tmp_path, version):
    result = check(fake_python(tmp_path, version), tmp_path / "no-venv")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_a_missing_python_is_named(tmp_path):
    result = check(tmp_path / "python3.42", tmp_path / "no-venv")
    assert result.returncode == 1 and result.stdout.startswith(f"{tmp_path / 'python3.42'} not found")


def test_an_existing_venv_is_not_used_with_another_python(tmp_path):
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    fake_python(tmp_path, f"{PY_MAX}.1").rename(venv / "bin" / "python")
    other = fake_python(tmp_path, f"{PY_MIN}.2")
    refused = check(other, venv, explicit=1)
    assert refused.returncode == 1 and f"holds Python {PY_MAX}.1 but PYTHON={other} is {PY_MIN}.2" in refused.stdout
    assert "make clean" in refused.stdout
    assert check(other, venv, explicit=0).returncode == 0  # PYTHON left at its default: keep the venv
    assert check(venv / "bin" / "python", venv, explicit=1).returncode == 0
    unsupported = check(fake_python(tmp_path, "3.9.18"), venv, explicit=1)  # the range comes first
    assert unsupported.returncode == 1 and unsupported.stdout.startswith("Python 3.9.18 found")


def test_make_stops_before_pip_on_an_unsupported_python(tmp_path):
    python = fake_python(tmp_path, "3.9.18")
    result = subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), "install", f"PYTHON={python}", f"VENV={tmp_path / 'venv'}"],
        capture_output=True, text=True,
    )
    assert result.returncode != 0
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Python 3.9.18 found ({python}); the series needs {PY_MIN}-{PY_MAX}: ")
    assert not (tmp_path / "venv").exists()
