"""Build the JupyterLite site of the series: JupyterLab and a Python kernel (Pyodide) as static files.

``make lite`` runs this with the build venv ``.venv-lite`` (``lite/requirements.txt``); the notebook
environment (``.venv``) is never touched. What lands in ``build/lite/`` (or ``--out``):

- every numbered notebook with its stored outputs, the student notebooks (``exercises/``), the worked
  solutions (``solutions/``) and the data
  (``data/``), at the root of the site's file browser;
- Pyodide under ``static/pyodide/``: with ``--pyodide DIR`` (``make lite PYODIDE=DIR``) a copy of a local
  Pyodide folder (an offline room, the tests); without it, the Pyodide runtime of the npm package
  ``pyodide@VERSION`` and every package file taken from the public Pyodide CDN at run time;
- ``rmsprop_lib``, ``ipywidgets`` and ``comm`` as wheels beside Pyodide's own, each with an entry in the
  site's copy of ``pyodide-lock.json``: a plain ``import rmsprop_lib`` loads them (no ``%pip`` cell), and the
  kernel never asks PyPI for anything (``disablePyPIFallback``);
- matplotlib's font cache, built once by Pyodide's own matplotlib (``lite/fontlist-matplotlib-*.json``,
  refreshed with ``--refresh-fontlist``), shipped as a tiny wheel that matplotlib's lock entry depends on:
  the learner never sees "Matplotlib is building the font cache".

Usage: ``python tools/build_lite.py [--pyodide DIR] [--out DIR] [--refresh-fontlist]``.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LITE = ROOT / "lite"
NOTEBOOKS = ROOT / "notebooks"
CACHE = ROOT / "build" / ".lite-cache"

#: The Pyodide line jupyterlite-pyodide-kernel 0.6.x runs on; the same version as ../shared/pyodide-0.27.7.
PYODIDE_VERSION = "0.27.7"
PYODIDE_CDN = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/"
#: The files of the Pyodide runtime itself (the npm package ``pyodide``).
CORE = ["pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip",
        "pyodide-lock.json", "package.json"]
KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"
# JupyterLab 4.4 (JupyterLite 0.6) runs its ArrowLeft/ArrowRight heading navigation even when the key went
# to a widget's slider: the arrow keys would jump through the notebook instead of moving the slider. The
# site keeps those shortcuts for a focused cell only.
_HEADING_KEYS = {"notebook:move-cursor-heading-above-or-collapse": "ArrowLeft",
                 "notebook:move-cursor-heading-below-or-expand": "ArrowRight"}
_COMMAND_MODE = ".jp-Notebook.jp-mod-commandMode:not(.jp-mod-readWrite)"
SETTINGS_OVERRIDES = {"@jupyterlab/shortcuts-extension:shortcuts": {"shortcuts": [
    *({"command": command, "keys": [key], "selector": f"{_COMMAND_MODE} :focus", "disabled": True}
      for command, key in _HEADING_KEYS.items()),
    *({"command": command, "keys": [key], "selector": f"{_COMMAND_MODE} .jp-Cell:focus"}
      for command, key in _HEADING_KEYS.items()),
]}}
#: Pure-Python packages the kernel needs beyond Pyodide's own, at the versions of the notebook environment.
FONTLIST = "rmsprop-lite-fontlist"
FROM_PYPI = {"ipywidgets": ["comm", "ipython", "traitlets"], "comm": ["traitlets"]}


def pinned(name: str) -> str:
    """The version requirements.txt pins for ``name``."""
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()  # pip-compile adds "# via ..." comments
        if line.lower().startswith(name.lower() + "=="):
            return line.split("==", 1)[1].strip()
    raise SystemExit(f"requirements.txt pins no version of {name}")


def run(*command, **kwargs) -> None:
    print("+", " ".join(str(c) for c in command), flush=True)
    subprocess.run([str(c) for c in command], check=True, **kwargs)


# --------------------------------------------------------------------------- Pyodide


def npm_pyodide(version: str) -> Path:
    """The npm package pyodide@version, unpacked once into the build cache."""
    folder = CACHE / f"pyodide-{version}"
    if not (folder / "pyodide.asm.wasm").exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            run("npm", "pack", f"pyodide@{version}", "--silent", "--pack-destination", tmp)
            (tarball,) = Path(tmp).glob("pyodide-*.tgz")
            with tarfile.open(tarball) as tar:
                tar.extractall(tmp, filter="data")
            shutil.rmtree(folder, ignore_errors=True)
            shutil.copytree(Path(tmp) / "package", folder)
    return folder


def stage_pyodide(target: Path, local: Path | None) -> dict:
    """Pyodide into ``target`` (the site's static/pyodide/); returns its lock, to be extended and written back."""
    target.mkdir(parents=True)
    if local is not None:
        missing = [name for name in CORE if not (local / name).exists()]
        if missing:
            raise SystemExit(f"PYODIDE={local} is not a Pyodide folder: it lacks {', '.join(missing)}")
        for path in sorted(local.iterdir()):
            if path.is_file() and path.name not in ("verify.py",):
                shutil.copy2(path, target / path.name)
        lock = json.loads((target / "pyodide-lock.json").read_text())
    else:
        source = npm_pyodide(PYODIDE_VERSION)
        for name in CORE:
            shutil.copy2(source / name, target / name)
        lock = json.loads((target / "pyodide-lock.json").read_text())
        for entry in lock["packages"].values():  # the package files come from the public CDN
            entry["file_name"] = PYODIDE_CDN + entry["file_name"]
    version = lock["info"]["version"]
    if not version.startswith("0.27."):
        raise SystemExit(f"Pyodide {version}: jupyterlite-pyodide-kernel 0.6.x needs Pyodide 0.27.x")
    return lock


def lock_entry(wheel: Path, name: str, imports: list[str], depends: list[str]) -> dict:
    return {
        "name": name, "version": wheel.name.split("-")[1], "file_name": wheel.name, "install_dir": "site",
        "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(), "package_type": "package",
        "imports": imports, "depends": depends, "unvendored_tests": False,
    }


# --------------------------------------------------------------------------- wheels


def project_wheel(out: Path) -> Path:
    """rmsprop_lib as a wheel (setuptools from the build venv, no network)."""
    with tempfile.TemporaryDirectory() as tmp:
        run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", tmp, ROOT)
        (wheel,) = Path(tmp).glob("rmsprop_lib-*.whl")
        shutil.copy2(wheel, out / wheel.name)
    shutil.rmtree(ROOT / "build" / "lib", ignore_errors=True)
    shutil.rmtree(ROOT / "build" / f"bdist.{sys.platform}", ignore_errors=True)
    return out / wheel.name


def pypi_wheels(out: Path) -> dict[str, Path]:
    """ipywidgets and comm, pure-Python wheels from PyPI at the notebook environment's versions (cached)."""
    cache = CACHE / "wheels"
    wheels = {}
    for name in FROM_PYPI:
        spec = f"{name}=={pinned(name)}"
        found = [p for p in cache.glob(f"{name}-{pinned(name)}-*.whl")] if cache.exists() else []
        if not found:
            run(sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                "--python-version", "3.12", "--platform", "any", "-d", cache, spec)
            found = list(cache.glob(f"{name}-{pinned(name)}-*.whl"))
        shutil.copy2(found[0], out / found[0].name)
        wheels[name] = out / found[0].name
    return wheels


def fontlist_file(matplotlib_version: str) -> Path:
    return LITE / f"fontlist-matplotlib-{matplotlib_version}.json"


def fontlist_wheel(out: Path, matplotlib_version: str) -> Path:
    """A wheel that puts matplotlib's font cache where Pyodide's matplotlib looks for it (matplotlib/fontlist.json)."""
    source = fontlist_file(matplotlib_version)
    if not source.exists():
        raise SystemExit(f"{source.relative_to(ROOT)} is missing: the site's Pyodide has matplotlib {matplotlib_version}; "
                         "write its font cache with `tools/build_lite.py --pyodide DIR --refresh-fontlist`")
    name, version = "rmsprop_lite_fontlist", matplotlib_version
    info = f"{name}-{version}.dist-info"
    files = {
        "matplotlib/fontlist.json": source.read_bytes(),
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
                            "Summary: matplotlib's font cache, prebuilt for Pyodide (rmsprop_lib's JupyterLite site)\n".encode(),
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: tools/build_lite.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = [f"{path},sha256={base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},{len(data)}"
              for path, data in files.items()] + [f"{info}/RECORD,,"]
    files[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    wheel = out / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in files.items():
            archive.writestr(zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0)), data)
    return wheel


def refresh_fontlist(pyodide: Path) -> None:
    """Let Pyodide's matplotlib (run in node) build its font cache, and keep it in lite/."""
    with tempfile.TemporaryDirectory() as tmp:
        run("node", LITE / "fontlist.mjs", pyodide, Path(tmp) / "fontlist.json")
        built = json.loads((Path(tmp) / "fontlist.json").read_text())
    fontlist_file(built["matplotlib"]).write_text(built["text"])
    print(f"wrote {fontlist_file(built['matplotlib']).relative_to(ROOT)} (FontManager version {built['version']})")


# --------------------------------------------------------------------------- the site


def stage_contents(target: Path) -> None:
    """What the learner's file browser shows: the numbered notebooks, exercises/, solutions/ and data/."""
    target.mkdir(parents=True)
    for notebook in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        shutil.copy2(notebook, target / notebook.name)
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    for folder in ("exercises", "solutions", "data"):
        if (NOTEBOOKS / folder).is_dir():
            shutil.copytree(NOTEBOOKS / folder, target / folder, ignore=ignore)


def build(out: Path, pyodide: Path | None) -> None:
    out = out.resolve()
    work = Path(tempfile.mkdtemp(prefix="lite-build-"))  # a clean lite dir: its doit cache never leaks between builds
    try:
        static = work / "static" / "pyodide"
        lock = stage_pyodide(static, pyodide)
        packages = lock["packages"]
        wheels = pypi_wheels(static)
        for name, depends in FROM_PYPI.items():
            packages[name] = lock_entry(wheels[name], name, [name], depends)
        matplotlib_version = packages["matplotlib"]["version"]
        fontlist = fontlist_wheel(static, matplotlib_version)
        # Pyodide's matplotlib wheel carries a fontlist.json of another matplotlib (FontManager version 390,
        # its own is 330), so the first plot rebuilds it and says so in red. Ours must land after it:
        # a package is installed only once those it depends on are, hence "depends": ["matplotlib"].
        packages[FONTLIST] = lock_entry(fontlist, FONTLIST, [], ["matplotlib"])
        ours = project_wheel(static)
        packages["rmsprop-lib"] = lock_entry(ours, "rmsprop-lib", ["rmsprop_lib"],
                                             ["numpy", "matplotlib", "pillow", "ipywidgets", FONTLIST])
        (static / "pyodide-lock.json").write_text(json.dumps(lock, sort_keys=True))

        stage_contents(work / "contents")
        # The kernel loads the series' packages as Pyodide starts, in one parallel batch (matplotlib, the font
        # cache before any cell can import pyplot, ipython for the kernel, rmsprop_lib and ipywidgets for
        # the first cell) instead of one batch after another.
        settings = {"disablePyPIFallback": True, "loadPyodideOptions": {"packages": [FONTLIST, "rmsprop-lib"]}}
        (work / "jupyter-lite.json").write_text(json.dumps({
            "jupyter-lite-schema-version": 0,
            "jupyter-config-data": {"appName": "RMSProp from the ground up", "litePluginSettings": {KERNEL_PLUGIN: settings},
                                    "settingsOverrides": SETTINGS_OVERRIDES},
        }, indent=2))
        shutil.rmtree(out, ignore_errors=True)
        jupyter = Path(sys.executable).with_name("jupyter")
        run(jupyter, "lite", "build", "--lite-dir", work, "--output-dir", out, "--contents", work / "contents",
            "--no-sourcemaps", "--no-unused-shared-packages", cwd=work)
        config = json.loads((out / "jupyter-lite.json").read_text())
        kernel = config["jupyter-config-data"]["litePluginSettings"][KERNEL_PLUGIN]
        assert kernel.get("pyodideUrl") == "./static/pyodide/pyodide.js" and kernel.get("disablePyPIFallback"), kernel
    finally:
        shutil.rmtree(work, ignore_errors=True)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    where = f"Pyodide from {pyodide}" if pyodide else f"Pyodide {PYODIDE_VERSION} runtime from npm, packages from {PYODIDE_CDN}"
    print(f"JupyterLite site in {out} ({size / 1e6:.1f} MB; {where}); serve it with "
          f"`python -m http.server -d {os.path.relpath(out)}` and open /lab/index.html")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pyodide", type=Path, default=os.environ.get("PYODIDE") or None,
                        help="a local Pyodide 0.27 folder (default: the public distribution)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "lite")
    parser.add_argument("--refresh-fontlist", action="store_true",
                        help="rebuild lite/fontlist-matplotlib-*.json with the local Pyodide (needs node), then build")
    args = parser.parse_args(argv)
    pyodide = args.pyodide.resolve() if args.pyodide else None
    if args.refresh_fontlist:
        if pyodide is None:
            parser.error("--refresh-fontlist needs --pyodide DIR")
        refresh_fontlist(pyodide)
    build(args.out, pyodide)


if __name__ == "__main__":
    main()
