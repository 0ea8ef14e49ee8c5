#!/usr/bin/env bash
# make test-pythons: the tests on a fresh venv for every supported CPython found on this machine.
#   tools/test_pythons.sh MIN MAX        e.g. tools/test_pythons.sh 3.10 3.13
# Interpreters: PYTHONS="python3.12 /usr/bin/python3.11 ..." if set; otherwise every pyenv
# version and every /usr/bin, /usr/local/bin python3.X whose version lies in MIN..MAX.
# Each gets build/pythons/<version>/ (removed first): requirements.txt, `pip install --no-deps -e .`,
# then pytest -m "not browser" (unit tests + nbval over the notebooks; the browser tests and two slow
# kernel-driven tests run once, in `make test`). Logs: build/pythons/<version>/{install,test}.log; the venv is
# removed when its tests pass.
# Prints one line per Python and exits non-zero if any install or test run fails.
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

# Keep the supported ones, one per interpreter binary (several names can lead to one binary).
pythons=() versions=() seen=" " skipped=()
for given in "${candidates[@]}"; do
  p="$given"
  [ -x "$p" ] || p=$(command -v "$p" 2>/dev/null) || { [ -n "${PYTHONS:-}" ] && skipped+=("$given: not found"); continue; }
  real=$(readlink -f "$p")
  [[ "$seen" == *" $real "* ]] && continue
  seen+="$real "
  v=$(version "$p") || continue
  if in_range "$v"; then pythons+=("$p") versions+=("$v"); else skipped+=("$v"); fi
done
[ ${#skipped[@]} -gt 0 ] && echo "test-pythons: not tested (outside $min-$max or absent): ${skipped[*]}"
if [ ${#pythons[@]} -eq 0 ]; then
  echo "test-pythons: no CPython $min-$max found (PYTHONS=... names them)"; exit 1
fi
echo "test-pythons: ${#pythons[@]} Pythons, one at a time; logs in $out/<version>/"

# Run once, in `make test`, not per Python (each drives Jupyter kernels for minutes and tests our code, not
# the interpreter): every explorer at its slider extremes, and every student notebook top to bottom.
SLOW_ONCE="not test_every_explorer_survives_its_extremes and not test_student_notebooks_run_top_to_bottom"

failed=() start=$SECONDS
for i in "${!pythons[@]}"; do
  p="${pythons[$i]}" v="${versions[$i]}" dir="$out/${versions[$i]}"
  [[ " ${versions[*]:0:$i} " == *" $v "* ]] && dir="$dir-$i"  # two interpreters of one version
  rm -rf "$dir" && mkdir -p "$dir"
  t0=$SECONDS
  if "$p" -m venv "$dir/venv" >"$dir/install.log" 2>&1 &&
     "$dir/venv/bin/python" -m pip install --quiet --upgrade pip >>"$dir/install.log" 2>&1 &&
     "$dir/venv/bin/python" -m pip install --quiet -r requirements.txt >>"$dir/install.log" 2>&1 &&
     "$dir/venv/bin/python" -m pip install --quiet --no-deps -e . >>"$dir/install.log" 2>&1; then
    install=$((SECONDS - t0)) t1=$SECONDS
    "$dir/venv/bin/python" -m pytest -m "not browser" -q -k "$SLOW_ONCE" >"$dir/test.log" 2>&1
    status=$? tests=$((SECONDS - t1))
    summary=$(grep -E '^=+ .*(passed|failed|error).* in [0-9.]+s' "$dir/test.log" | tail -1 | sed -E 's/^=+ //; s/ =+$//')
    [ -n "$summary" ] || summary=$(tail -1 "$dir/test.log")
    if [ $status -eq 0 ]; then verdict=PASS; else verdict=FAIL; failed+=("$v"); fi
    printf '%-8s %-4s  install %4ds  tests %4ds  %s  (%s)\n' "$v" "$verdict" "$install" "$tests" "$summary" "$p"
    [ $status -eq 0 ] && rm -rf "$dir/venv"  # ~0.6 GB each; a failed one is kept to look into
    [ $status -eq 0 ] || grep -E '^(FAILED|ERROR) ' "$dir/test.log" | sed -E 's/\x1b\[[0-9;]*m//g; s/^/           /'
  else
    failed+=("$v")
    printf '%-8s %-4s  install failed after %ds: %s  (%s)\n' "$v" FAIL $((SECONDS - t0)) \
      "$(grep -E 'ERROR|Error' "$dir/install.log" | head -1)" "$p"
  fi
done

total=$((SECONDS - start))
if [ ${#failed[@]} -eq 0 ]; then
  echo "test-pythons: all ${#pythons[@]} passed in $((total / 60)) min $((total % 60)) s"
else
  echo "test-pythons: FAILED on ${failed[*]} (of ${#pythons[@]}) in $((total / 60)) min $((total % 60)) s"
  exit 1
fi
