# Shared by scripts/serve, scripts/test and scripts/bench: make sure .venv exists and is installed.
# Usage: source scripts/_env.sh; ensure_venv runtime|dev

_pick_python() {
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "error: Python 3.11 or newer is needed (none found on PATH)" >&2
  return 1
}

ensure_venv() {
  local flavour="${1:-runtime}" spec=".[dev]" python stamp wanted
  [[ "$flavour" == "runtime" ]] && spec="."
  if [[ ! -x .venv/bin/python ]]; then
    python="$(_pick_python)"
    echo "==> creating the virtual environment (.venv) with $python"
    "$python" -m venv .venv
    .venv/bin/python -m pip install --quiet --upgrade pip
  fi
  stamp=".venv/.installed-$flavour"
  wanted="$(cat pyproject.toml | sha256sum | cut -d' ' -f1)"
  if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$wanted" ]]; then
    echo "==> installing the exchange and its dependencies ($flavour)"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$spec"
    echo "$wanted" > "$stamp"
  fi
}
