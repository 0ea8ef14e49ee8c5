#!/bin/sh
# Before `make` installs or uses .venv: is the Python right? One clear line and exit 1 if not.
#   tools/check_python.sh PYTHON VENV MIN MAX EXPLICIT TARGET
# PYTHON: the interpreter `make` would build the venv with; VENV: the venv's folder;
# MIN, MAX: the supported range (e.g. 3.10 3.13); EXPLICIT: 0 when PYTHON is the Makefile's default,
# 1 when set on the command line, 2 when it comes from the environment (export PYTHON=...);
# TARGET: the make target to suggest in the message.
# - No venv yet: PYTHON must exist and lie in MIN..MAX.
# - PYTHON set by the user: it must exist and lie in MIN..MAX too.
# - A venv exists: its Python must lie in MIN..MAX and, when PYTHON was set, be the same
#   version as PYTHON (a venv is tied to the interpreter that made it).
# POSIX sh and a Python one-liner that even Python 2 runs, so every Python gets the message.
python="$1" venv="$2" min="$3" max="$4" explicit="$5" target="${6:-test}"

version() {  # prints e.g. "3.11.7", or nothing when $1 does not run
  "$1" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null
}

in_range() {  # in_range 3.11.7 -> true when MIN <= 3.11 <= MAX
  awk -v v="$1" -v lo="$min" -v hi="$max" 'BEGIN {
    split(v, a, "."); split(lo, l, "."); split(hi, h, ".");
    x = a[1] * 1000 + a[2]; exit !(x >= l[1] * 1000 + l[2] && x <= h[1] * 1000 + h[2]) }'
}

suggestion() {  # the newest supported python3.X that runs here, for the message
  m=$(echo "$max" | cut -d. -f2); lo=$(echo "$min" | cut -d. -f2)
  while [ "$m" -ge "$lo" ]; do
    v=$(version "python3.$m")
    if [ -n "$v" ] && in_range "$v"; then echo "make PYTHON=python3.$m $target"; return; fi
    m=$((m - 1))
  done
  echo "install one (python.org, pyenv or your distribution's python3.$(echo "$max" | cut -d. -f2)), then make PYTHON=python3.X $target"
}

# PYTHON matters when it makes the venv, or when the user named it.
if [ ! -x "$venv/bin/python" ] || [ "$explicit" != 0 ]; then
  found=$(version "$python")
  if [ -z "$found" ]; then
    echo "$python not found; the series needs Python $min-$max: $(suggestion)"; exit 1
  fi
  if ! in_range "$found"; then
    echo "Python $found found ($python); the series needs $min-$max: $(suggestion)"; exit 1
  fi
fi

if [ -x "$venv/bin/python" ]; then
  have=$(version "$venv/bin/python")
  if [ -z "$have" ]; then
    echo "$venv is broken (the Python it was made with is gone): run 'make clean', then 'make $target' again"; exit 1
  fi
  if ! in_range "$have"; then
    echo "$venv holds Python $have; the series needs $min-$max: run 'make clean', then $(suggestion)"; exit 1
  fi
  if [ "$explicit" != 0 ] && [ "$found" != "$have" ]; then
    if [ "$explicit" = 2 ]; then keep="unset PYTHON (it is set in your environment)"; else keep="leave PYTHON out"; fi
    echo "$venv holds Python $have but PYTHON=$python is $found: run 'make clean' first to rebuild it with $python, or $keep to keep $have"; exit 1
  fi
fi
