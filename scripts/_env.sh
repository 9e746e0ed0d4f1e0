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

# WeasyPrint (order documents as PDF) needs Pango and HarfBuzz's subsetter from the system.
PDF_LIBS=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
ensure_pdf_libs() {
  if ldconfig -p 2>/dev/null | grep -q "libpango-1.0.so.0" && ldconfig -p 2>/dev/null | grep -q "libharfbuzz-subset.so.0"; then
    return 0
  fi
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    echo "==> installing Pango and HarfBuzz for PDF documents (WeasyPrint)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${PDF_LIBS[@]}" >/dev/null
  else
    echo "warning: PDF documents need Pango and HarfBuzz: sudo apt-get install -y ${PDF_LIBS[*]}" >&2
  fi
}

# axe-core (the accessibility scan the browser tests run in each page), from the npm registry, kept out of git.
AXE_DIR=".cache/axe"
ensure_axe() {
  [[ -f "$AXE_DIR/node_modules/axe-core/axe.min.js" ]] && return 0
  if ! command -v npm >/dev/null; then
    echo "error: the browser tests' accessibility scan needs npm (Node.js): sudo apt-get install -y npm" >&2
    return 1
  fi
  echo "==> installing axe-core (accessibility scan) into $AXE_DIR"
  npm install --silent --no-save --no-audit --no-fund --prefix "$AXE_DIR" axe-core@4 >/dev/null
}

# A Chinese font, so Chromium draws Chinese pages (the README screenshots) with glyphs instead of boxes.
ensure_cjk_font() {
  fc-list :lang=zh 2>/dev/null | grep -q . && return 0
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    echo "==> installing a Chinese font (fonts-wqy-microhei) for the screenshots"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null
  else
    echo "warning: Chinese pages will show boxes without a Chinese font: sudo apt-get install -y fonts-wqy-microhei" >&2
  fi
}
