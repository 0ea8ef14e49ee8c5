#!/usr/bin/env bash
# make test-pythons: the README's own command, `make test`, in a fresh clone for every supported CPython here.
#   tools/test_pythons.sh MIN MAX        e.g. tools/test_pythons.sh 3.10 3.13
# Interpreters: PYTHONS="python3.12 /usr/bin/python3.11 ..." if set; otherwise every pyenv version and every
# /usr/bin, /usr/local/bin python3.X whose version lies in MIN..MAX, except the one `make test` already ran
# with (SKIP_PYTHON, the .venv's interpreter; .ci/run runs `make test` first).
# Each gets build/pythons/<version>/repo, a `git clone` of HEAD (committed work only), and runs
#   make lite-venv site-venv PYTHON=<it> && make test PYTHON=<it> ARGS='-k "<not the two slow kernel runs>"'
# as a newcomer would: the three venvs (.venv, .venv-lite, .venv-site) are installed from their locks with that
# Python, then the unit tests and nbval over every notebook. The browser-driven tests (`make test-browser`:
# JupyterLab, the JupyterLite kernel, the static site) and two slow kernel-driven tests of our code, not of the
# interpreter (explorer extremes, student notebooks), run once, with .venv's Python (.ci/run's first stages).
# Logs: build/pythons/<version>/test.log; a clone is removed when its run passes.
# Prints one line per Python and exits non-zero if any run fails.
set -uo pipefail
cd "$(dirname "$0")/.."
min="${1:-3.10}" max="${2:-3.13}"
out=build/pythons

version() { "$1" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null; }
in_range() {
  awk -v v="$1" -v lo="$min" -v hi="$max" 'BEGIN { split(v, a, "."); split(lo, l, "."); split(hi, h, ".");
    x = a[1] * 1000 + a[2]; exit !(x >= l[1] * 1000 + l[2] && x <= h[1] * 1000 + h[2]) }'
}

if [ -n "${PYTHONS:-}" ]; then
  candidates=($PYTHONS)
else
  candidates=()
  if command -v pyenv >/dev/null 2>&1; then
    for p in "$(pyenv root)"/versions/*/bin/python3; do candidates+=("$p"); done
  fi
  for p in /usr/bin/python3.* /usr/local/bin/python3.*; do
    [[ "$p" =~ /python3\.[0-9]+$ ]] && candidates+=("$p")
  done
fi

# The interpreter the main `make test` used (.venv's), unless named in PYTHONS.
skip_real=""
if [ -z "${PYTHONS:-}" ] && [ -n "${SKIP_PYTHON:-}" ] && [ -x "$SKIP_PYTHON" ]; then
  skip_real=$("$SKIP_PYTHON" -c 'import sys; print(sys._base_executable)' 2>/dev/null | xargs readlink -f 2>/dev/null)
fi

# Keep the supported ones, one per interpreter binary (several names can lead to one binary).
pythons=() versions=() seen=" " skipped=()
for given in "${candidates[@]}"; do
  p="$given"
  [ -x "$p" ] || p=$(command -v "$p" 2>/dev/null) || { [ -n "${PYTHONS:-}" ] && skipped+=("$given: not found"); continue; }
  real=$(readlink -f "$p")
  [[ "$seen" == *" $real "* ]] && continue
  seen+="$real "
  v=$(version "$p") || continue
  if [ -n "$skip_real" ] && [ "$real" = "$skip_real" ]; then skipped+=("$v: tested by make test"); continue; fi
  if in_range "$v"; then pythons+=("$p") versions+=("$v"); else skipped+=("$v"); fi
done
[ ${#skipped[@]} -gt 0 ] && echo "test-pythons: not run here: ${skipped[*]}"
if [ ${#pythons[@]} -eq 0 ]; then
  echo "test-pythons: no CPython $min-$max found (PYTHONS=... names them)"; exit 1
fi
[ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] && echo "test-pythons: uncommitted changes are not tested (each run clones HEAD)"
echo "test-pythons: ${#pythons[@]} Pythons, one at a time, each 'make test' in a fresh clone; logs in $out/<version>/"

SLOW_ONCE="not test_every_explorer_survives_its_extremes and not test_student_notebooks_run_top_to_bottom"

failed=() start=$SECONDS
for i in "${!pythons[@]}"; do
  p="${pythons[$i]}" v="${versions[$i]}" dir="$out/${versions[$i]}"
  [[ " ${versions[*]:0:$i} " == *" $v "* ]] && dir="$dir-$i"  # two interpreters of one version
  rm -rf "$dir" && mkdir -p "$dir"
  t0=$SECONDS
  git clone --quiet --no-hardlinks . "$dir/repo" >"$dir/test.log" 2>&1
  # the JupyterLite and site venvs too (make test-browser's, and make lite's and make site's): their locks
  # must resolve on this Python as well
  make -C "$dir/repo" lite-venv site-venv PYTHON="$p" >>"$dir/test.log" 2>&1 \
    && make -C "$dir/repo" test PYTHON="$p" ARGS="-k '$SLOW_ONCE'" >>"$dir/test.log" 2>&1
  status=$?
  summary=$(grep -E '^=*\s*[0-9]+ (passed|failed).* in [0-9.]+s' "$dir/test.log" | tail -1 | sed -E 's/^=+ //; s/ =+$//')
  [ -n "$summary" ] || summary=$(grep -E 'Error|error:' "$dir/test.log" | head -1)
  if [ $status -eq 0 ]; then verdict=PASS; else verdict=FAIL; failed+=("$v"); fi
  printf '%-8s %-4s  make test %4ds  %s  (%s)\n' "$v" "$verdict" $((SECONDS - t0)) "$summary" "$p"
  if [ $status -eq 0 ]; then rm -rf "$dir/repo"; else  # ~1 GB each; a failed one is kept to look into
    grep -E '^(FAILED|ERROR) ' "$dir/test.log" | sed -E 's/\x1b\[[0-9;]*m//g; s/^/           /'
  fi
done

total=$((SECONDS - start))
if [ ${#failed[@]} -eq 0 ]; then
  echo "test-pythons: all ${#pythons[@]} passed in $((total / 60)) min $((total % 60)) s"
else
  echo "test-pythons: FAILED on ${failed[*]} (of ${#pythons[@]}) in $((total / 60)) min $((total % 60)) s"
  exit 1
fi
