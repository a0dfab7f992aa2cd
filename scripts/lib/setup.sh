# Shared, idempotent set-up steps for scripts/test and scripts/demo: each installs only what is
# missing, so a second run is fast and a fresh Debian machine with only Rust gets everything.
# Source it; do not run it.

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Runs apt-get install for the packages whose command is missing (pairs of command:package).
ensure_apt() {
  local missing=() pair
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]} (apt)"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_rust_components() {
  rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
  rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
}

ensure_wasm_target() {
  rustup target list --installed | grep -qx wasm32-unknown-unknown || {
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  }
}

# cargo install NAME at VERSION unless a binary of that version is already on PATH.
ensure_cargo_tool() {
  local bin="$1" crate="$2" version="$3" extra="${4:-}"
  if command -v "$bin" >/dev/null 2>&1 && "$bin" --version 2>/dev/null | grep -q "$version"; then
    return 0
  fi
  log "installing $crate $version (cargo install)"
  # shellcheck disable=SC2086
  cargo install "$crate" --version "$version" $extra
}
