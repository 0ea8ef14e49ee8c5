"""Binder and Colab without Docker or Google: what repo2docker reads, and the notebooks' setup cell.

- ``binder/environment.yml`` holds the root ``environment.yml``'s pins without its ``-e .`` line (repo2docker
  installs it before the repository is in the image);
- ``binder/postBuild``, run as repo2docker runs it (from a copy of the repository, with a fresh environment's
  ``python`` first on the PATH), installs the library with its digits data and the JupyterLab settings, and
  notebook 00 then runs from a folder that holds nothing of the repository but the notebook;
- the setup cell (``tools/series.py``), run in a kernel-less Python that has the series' dependencies but not
  the library (a fresh Colab runtime), installs the library from an archive laid out as GitHub serves
  ``/archive/refs/tags/<tag>.zip``, prints nothing, and ``load_digits`` then finds its data.

The "fresh environment" is a venv whose ``.pth`` file puts ``.venv``'s site-packages after its own (the
dependencies a Binder image or Colab already has), so nothing is downloaded but setuptools for the build.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import series  # noqa: E402

SKIP = shutil.ignore_patterns(".git", ".venv*", "build", "dist", "test-artifacts", "*.egg-info", "__pycache__",
                              ".ipynb_checkpoints", ".pytest_cache", ".hypothesis", "node_modules", ".benchmarks")


def bare_environment(folder: Path) -> Path:
    """A venv with the notebook environment's packages behind its own site-packages, but no rmsprop_lib."""
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    python = folder / "bin" / "python"
    own = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                         capture_output=True, text=True, check=True).stdout.strip()
    # .venv's editable rmsprop_lib is a .pth hook there, which a path added this way does not run: not importable
    (Path(own) / "notebook-environment.pth").write_text(sysconfig.get_path("purelib") + "\n")
    found = subprocess.run([str(python), "-c", "import numpy, matplotlib, ipywidgets, rmsprop_lib"], cwd=folder,
                           capture_output=True, text=True)
    assert "No module named 'rmsprop_lib'" in found.stderr, found.stderr
    return python


def copy_of_the_repository(target: Path) -> Path:
    shutil.copytree(ROOT, target, ignore=SKIP)
    return target


def without_repository(python: Path, code: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(python), "-c", code], capture_output=True, text=True, cwd=cwd, env=env)


CHECK_LIBRARY = (
    "import rmsprop_lib, sys\n"
    "from rmsprop_lib.experiments.digits import DATA_FILE, load_digits\n"
    "x, y = load_digits()\n"
    "assert x.shape == (1797, 64) and (DATA_FILE.parent / 'README.md').is_file(), DATA_FILE\n"
    "assert rmsprop_lib.__file__.startswith(sys.prefix), rmsprop_lib.__file__\n"
    "print(DATA_FILE)\n"
)


# --------------------------------------------------------------------------- Binder


def test_binder_environment_is_the_root_environment_without_the_editable_install():
    root = yaml.safe_load((ROOT / "environment.yml").read_text())
    binder = yaml.safe_load((ROOT / "binder" / "environment.yml").read_text())
    pip = lambda env: next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))  # noqa: E731
    assert "-e ." in pip(root) and "-e ." not in pip(binder) and "." not in pip(binder)
    assert [d for d in pip(root) if d != "-e ."] == pip(binder)
    assert [d for d in root["dependencies"] if isinstance(d, str)] == [d for d in binder["dependencies"] if isinstance(d, str)]
    assert os.access(ROOT / "binder" / "postBuild", os.X_OK), "repo2docker runs binder/postBuild only when executable"


@pytest.fixture(scope="module")
def binder(tmp_path_factory):
    """binder/postBuild run as repo2docker runs it: from a copy of the repository, the environment's python first."""
    tmp = tmp_path_factory.mktemp("binder")
    python = bare_environment(tmp / "env")
    repo = copy_of_the_repository(tmp / "repo")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{python.parent}{os.pathsep}{env['PATH']}"
    done = subprocess.run(["bash", "binder/postBuild"], cwd=repo, env=env, capture_output=True, text=True)
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir()
    return python, repo, done, elsewhere


def test_binder_postbuild_installs_the_library_its_data_and_the_lab_settings(binder):
    python, repo, done, elsewhere = binder
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (repo / "build").exists() and not (repo / "rmsprop_lib.egg-info").exists()
    check = without_repository(python, CHECK_LIBRARY, elsewhere)
    assert check.returncode == 0, check.stderr
    assert "/_data/digits.npz" in check.stdout

    # JupyterLab reads overrides.json from <app dir>/settings: the environment's, as `make lab` writes .venv's
    app_dir = without_repository(python, "from jupyterlab.commands import get_app_dir; print(get_app_dir())", elsewhere)
    overrides = Path(app_dir.stdout.strip()) / "settings" / "overrides.json"
    assert overrides.is_file(), app_dir.stdout + app_dir.stderr
    assert json.loads(overrides.read_text()) == json.loads((ROOT / "tools" / "lab-overrides.json").read_text())


def test_binder_opens_the_series(binder, tmp_path):
    """The Binder link's urlpath names notebook 00, and it runs with the installed library, away from the checkout."""
    python, _, done, _ = binder
    assert done.returncode == 0, done.stdout + done.stderr
    notebook = "00_start_here.ipynb"
    (_, _), (_, _), (_, link) = series.launch_links(notebook)
    assert link.endswith(f"?urlpath=lab/tree/notebooks/{notebook}") and (ROOT / "notebooks" / notebook).is_file()
    shutil.copy(ROOT / "notebooks" / notebook, tmp_path / notebook)
    run = without_repository(python, (
        "import nbformat\n"
        "from nbclient import NotebookClient\n"
        f"nb = nbformat.read('{notebook}', as_version=4)\n"
        "nb.cells.append(nbformat.v4.new_code_cell('import rmsprop_lib, sys; print(rmsprop_lib.__file__.startswith(sys.prefix))'))\n"
        "NotebookClient(nb, timeout=120, kernel_name='python3', resources={'metadata': {'path': '.'}}).execute()\n"
        "setup = next(c for c in nb.cells if 'setup' in c.metadata.get('tags', []))\n"
        "assert setup.outputs == [], setup.outputs\n"
        "print(nb.cells[-1].outputs[0]['text'].strip())\n"), tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.strip().endswith("True"), run.stdout


# --------------------------------------------------------------------------- the setup cell (a fresh Colab runtime)


def github_archive(repo: Path, tag: str, target: Path) -> Path:
    """``repo`` zipped as GitHub serves ``/archive/refs/tags/<tag>.zip``: one top folder ``<name>-<version>``."""
    top = f"{series.address()['repo']}-{tag.removeprefix('v')}"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(repo.rglob("*")):
            if path.is_file():
                archive.write(path, f"{top}/{path.relative_to(repo).as_posix()}")
    return target


def test_the_setup_cell_installs_the_library_and_its_data_quietly_where_it_is_missing(tmp_path):
    where = series.address()
    source = series.setup_source(where)
    url = f"https://github.com/{where['owner']}/{where['repo']}/archive/refs/tags/{where['ref']}.zip"
    assert url in source and where["ref"].startswith("v")  # a release tag, never a branch
    repo = copy_of_the_repository(tmp_path / "repo")
    archive = github_archive(repo, where["ref"], tmp_path / f"{where['ref']}.zip")
    python = bare_environment(tmp_path / "env")
    runtime = tmp_path / "content"  # Colab's working folder: the notebook alone, nothing of the repository
    runtime.mkdir()
    cell = source.replace(url, archive.as_uri())
    first = without_repository(python, cell, runtime)
    assert first.returncode == 0, first.stderr[-3000:]
    assert first.stdout == "" and first.stderr == "", (first.stdout, first.stderr)  # quiet
    check = without_repository(python, CHECK_LIBRARY, runtime)
    assert check.returncode == 0, check.stderr
    # run again (Run All twice): the library imports, nothing is installed, nothing printed
    again = without_repository(python, cell.replace(archive.as_uri(), "file:///nonexistent.zip"), runtime)
    assert again.returncode == 0 and again.stdout == again.stderr == "", again.stderr
