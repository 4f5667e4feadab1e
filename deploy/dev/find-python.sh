#!/usr/bin/env bash
# Print the absolute path of a Python >= 3.12 interpreter (NetBox 4.7 needs 3.12 or later).
#
# Search order: $PYTHON if set, then python3.13, python3.12 and python3 on PATH, then the newest 3.12+ under
# pyenv ($PYENV_ROOT, `pyenv root`, ~/.pyenv, /root/.pyenv). Every candidate is actually run: a pyenv shim that
# exists on PATH but is not enabled for the current directory fails and is skipped.
# Exits non-zero with a message on stderr when no suitable interpreter exists.
set -euo pipefail

MIN_VERSION='3.12'

# Print the real interpreter path behind candidate $1 if it runs and is new enough.
check() {
    "$1" -c 'import sys; assert sys.version_info >= (3, 12); print(sys.executable)' 2>/dev/null
}

if [[ -n "${PYTHON:-}" ]]; then
    if check "$PYTHON"; then
        exit 0
    fi
    echo "find-python.sh: \$PYTHON=$PYTHON is not a Python >= $MIN_VERSION interpreter, searching further" >&2
fi

for name in python3.13 python3.12 python3; do
    if command -v "$name" >/dev/null 2>&1 && check "$name"; then
        exit 0
    fi
done

pyenv_roots=()
[[ -n "${PYENV_ROOT:-}" ]] && pyenv_roots+=("$PYENV_ROOT")
command -v pyenv >/dev/null 2>&1 && pyenv_roots+=("$(pyenv root)")
pyenv_roots+=("${HOME:-/root}/.pyenv" /root/.pyenv)
for root in "${pyenv_roots[@]}"; do
    [[ -d "$root/versions" ]] || continue
    # Newest version first; the glob matches 3.12 to 3.19 releases.
    while read -r candidate; do
        if [[ -x "$candidate" ]] && check "$candidate"; then
            exit 0
        fi
    done < <(printf '%s\n' "$root"/versions/3.1[2-9]*/bin/python | sort -rV)
done

echo "find-python.sh: no Python >= $MIN_VERSION found (tried \$PYTHON, python3.13, python3.12, python3 on PATH" \
    "and pyenv versions). Install one, e.g. 'pyenv install 3.12', or set PYTHON=/path/to/python3.12." >&2
exit 1
