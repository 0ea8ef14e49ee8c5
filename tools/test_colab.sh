#!/usr/bin/env bash
# make test-colab: the series as Google Colab runs it (tests/colab/colab-versions.txt says which versions, and
# where they come from), in a fresh venv in build/colab/ that never mixes with .venv:
#   1. Colab's Python (the exact one, else the same minor version from pyenv or the PATH) and Colab's packages;
#   2. the library installed as the notebooks' setup cell installs it: `pip install` of a build of this
#      repository, with its dependencies (no --no-deps), and not one preinstalled package changed (pip freeze
#      before and after);
#   3. nbval over every numbered and solutions notebook (strict: every output compared) and every student
#      notebook (lax: they are stored without outputs; every cell must still run without an error);
#   4. every numbered notebook in an ipywidgets-7 front end in headless Chromium, every control moved
#      (tests/test_colab_browser.py, driven from .venv's pytest and Playwright).
# Usage: tools/test_colab.sh PYTHON_FOR_DOTVENV   (the driver for step 4: .venv/bin/python)
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

VERSIONS=tests/colab/colab-versions.txt
OUT=build/colab
VENV=$OUT/venv
DRIVER=${1:-.venv/bin/python}
start=$SECONDS
step() { printf 'test-colab: %-58s (%3d s)\n' "$1" $((SECONDS - start)); }
fail() { echo "test-colab: FAILED: $*"; exit 1; }

# ------------------------------------------------------------------ 1. Colab's Python and packages
want=$(sed -n 's/^# python: *//p' "$VERSIONS")
minor=${want%.*}
version() { "$1" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null; }
python="" found=""
candidates=("python$minor" /usr/bin/python"$minor" /usr/local/bin/python"$minor")
if command -v pyenv >/dev/null 2>&1; then
  candidates+=($(ls -d "$(pyenv root)"/versions/"$minor".*/bin/python3 2>/dev/null | sort -V -r))
fi
candidates+=($(ls -d "$HOME"/.pyenv/versions/"$minor".*/bin/python3 2>/dev/null | sort -V -r))
for p in "${candidates[@]}"; do
  v=$(version "$p") || continue
  [ "$v" = "$want" ] && { python=$p found=$v; break; }
  [ -z "$python" ] && [ "${v%.*}" = "$minor" ] && { python=$p found=$v; }
done
[ -n "$python" ] || fail "no Python $minor found (Colab runs $want): install it, e.g. pyenv install $minor"
[ "$found" = "$want" ] || echo "test-colab: Python $want (Colab's) is not here; using $found ($python)"

rm -rf "$OUT" && mkdir -p "$OUT"
"$python" -m venv "$VENV" || fail "could not make $VENV with $python"
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check)
# Colab's image is built by uv here (the same versions as pip gives, in a fifth of the time); the library below is
# installed by pip, as a learner's setup cell does.
{ "$python" -m venv "$OUT/uv" && "$OUT/uv/bin/python" -m pip install --quiet "${UV_SPEC:-uv==0.13.9}" &&
  "$OUT/uv/bin/uv" pip install --quiet --python "$VENV/bin/python" -r "$VERSIONS"; } >"$OUT/install.log" 2>&1 ||
  { tail -20 "$OUT/install.log"; fail "Colab's packages did not install (log: $OUT/install.log)"; }
"${PIP[@]}" check >>"$OUT/install.log" 2>&1 || { tail -5 "$OUT/install.log"; fail "pip check: Colab's set is inconsistent"; }
step "Colab's packages installed (Python $found)"

# ------------------------------------------------------------------ 2. the library, as the setup cell installs it
"${PIP[@]}" freeze --all | sort >"$OUT/freeze-before.txt"
"${PIP[@]}" wheel --quiet --no-deps -w "$OUT/dist" . >"$OUT/build.log" 2>&1 ||
  { tail -20 "$OUT/build.log"; fail "the library's wheel did not build (log: $OUT/build.log)"; }
wheel=$(ls "$OUT"/dist/rmsprop_lib-*.whl)
"${PIP[@]}" install "$wheel" >"$OUT/library.log" 2>&1 ||
  { tail -20 "$OUT/library.log"; fail "pip install $wheel failed (log: $OUT/library.log)"; }
"${PIP[@]}" freeze --all | sort >"$OUT/freeze-after.txt"
changed=$(diff "$OUT/freeze-before.txt" "$OUT/freeze-after.txt" | grep -E '^[<>]' | grep -viE '^> rmsprop[-_]lib[=@ ]')
[ -z "$changed" ] || fail "installing the library changed Colab's packages (pyproject.toml's dependencies ask for more):
$changed"
where=$(cd "$OUT" && "$ROOT/$VENV/bin/python" -c 'import rmsprop_lib; print(rmsprop_lib.__file__)')
[[ "$where" == */site-packages/* ]] || fail "rmsprop_lib imports from $where, not from the installed wheel"
step "library installed from $(basename "$wheel"): nothing else changed"

# The test runner's plugin (not in Colab): within Colab's versions, so nothing of the runtime moves.
"${PIP[@]}" install --quiet -c "$VERSIONS" nbval pytest-xdist >>"$OUT/install.log" 2>&1 || fail "nbval did not install (log: $OUT/install.log)"

# ------------------------------------------------------------------ 3. nbval in Colab's versions
# -o addopts= : pyproject's options name .venv's setup; the same ones are given here, from the wheel, not the tree.
# --rootdir keeps the repository's conftest.py (nbval with store_history=True, as Jupyter runs cells).
# Two notebooks at a time (-n 2; nbval needs --dist loadfile: one notebook's cells in one kernel, in order).
export PYDEVD_DISABLE_FILE_VALIDATION=1  # ipykernel 6's debugger warns on stderr about frozen modules otherwise
nbval=("$VENV/bin/python" -m pytest -o addopts= -p no:cacheprovider -q -n 2 --dist loadfile --nbval-current-env
       --nbval-sanitize-with=tests/nbval_sanitize.cfg --rootdir=. -o testpaths=)
status=0
"${nbval[@]}" --nbval notebooks/[0-9][0-9]_*.ipynb notebooks/solutions/*.ipynb >"$OUT/nbval.log" 2>&1 || status=1
tail -1 "$OUT/nbval.log" | sed 's/^/test-colab: nbval, numbered and solutions (strict): /'
[ $status -eq 0 ] || { grep -E '^(FAILED|ERROR)' "$OUT/nbval.log"; fail "nbval (log: $OUT/nbval.log)"; }
"${nbval[@]}" --nbval-lax notebooks/exercises/*.ipynb >"$OUT/nbval-exercises.log" 2>&1 || status=1
tail -1 "$OUT/nbval-exercises.log" | sed 's/^/test-colab: nbval, student notebooks (lax): /'
[ $status -eq 0 ] || { grep -E '^(FAILED|ERROR)' "$OUT/nbval-exercises.log"; fail "nbval (log: $OUT/nbval-exercises.log)"; }
step "nbval passed"

# ------------------------------------------------------------------ 4. an ipywidgets-7 front end in Chromium
# ipywidgets 7.7.1 was released with widgetsnbextension 3.6.1, its classic-Notebook front end. Colab's
# widgetsnbextension 3.6.10 (only a front end: Colab draws widgets with its own) bundles a rebuilt
# @jupyter-widgets/output whose Output model lacks _deserialize_state, so no explorer can show in it.
# Colab's Notebook 6.5.7 serves 3.6.1's nbextension from its own JUPYTER_PATH folder; the venv stays Colab's.
"${PIP[@]}" download --quiet --no-deps --only-binary :all: -d "$OUT/frontend" widgetsnbextension==3.6.1 \
  >>"$OUT/install.log" 2>&1 || fail "widgetsnbextension 3.6.1 did not download (log: $OUT/install.log)"
"$VENV/bin/python" - "$OUT/frontend" <<'EOF' || fail "could not unpack widgetsnbextension 3.6.1"
import pathlib, sys, zipfile
out = pathlib.Path(sys.argv[1])
wheel = next(out.glob("widgetsnbextension-3.6.1-*.whl"))
prefix = "widgetsnbextension-3.6.1.data/data/share/jupyter/"
with zipfile.ZipFile(wheel) as archive:
    for name in archive.namelist():
        if name.startswith(prefix + "nbextensions/") and not name.endswith("/"):
            target = out / "share" / "jupyter" / name[len(prefix):]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(name))
EOF
COLAB_VENV="$PWD/$VENV" COLAB_NBEXTENSIONS="$PWD/$OUT/frontend/share/jupyter" \
  "$DRIVER" -m pytest -o addopts= -p no:cacheprovider -q -ra tests/test_colab_browser.py >"$OUT/browser.log" 2>&1 || status=1
grep -E '^[0-9]+ (passed|failed)|passed|failed' "$OUT/browser.log" | tail -1 | sed 's/^/test-colab: browser (Notebook 6.5 + ipywidgets 7): /'
[ $status -eq 0 ] || { grep -E '^(FAILED|ERROR)|^E ' "$OUT/browser.log" | head -30; fail "browser tests (log: $OUT/browser.log)"; }
grep -q ' passed' "$OUT/browser.log" && ! grep -qE ' skipped' "$OUT/browser.log" ||
  fail "the browser tests were skipped (log: $OUT/browser.log): Chromium and Playwright are needed"
step "every notebook ran in the browser, every control redrew"
echo "test-colab: passed in $(( (SECONDS - start) / 60 )) min $(( (SECONDS - start) % 60 )) s"
