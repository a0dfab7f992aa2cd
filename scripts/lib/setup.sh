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

# apt-get install PACKAGE (no command to check for: a library or module package).
ensure_apt_package() {
  dpkg -s "$1" >/dev/null 2>&1 && return 0
  log "installing $1 (apt)"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$1" >/dev/null
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

# The standard library's sources, for scripts/pkg's -Z build-std.
ensure_rust_src() {
  rustup component list --installed | grep -q '^rust-src' || {
    log "adding the rust-src component"
    rustup component add rust-src
  }
}

# cargo install NAME at VERSION unless a binary of that version is already on PATH.
ensure_cargo_tool() {
  local bin="$1" crate="$2" version="$3" extra="${4:-}"
  # The whole output read first: `| grep -q` would stop reading at the first match, and a tool
  # that prints more (geckodriver) would then die of SIGPIPE, which pipefail counts as missing.
  if command -v "$bin" >/dev/null 2>&1 && [[ "$("$bin" --version 2>/dev/null)" == *"$version"* ]]; then
    return 0
  fi
  log "installing $crate $version (cargo install)"
  # shellcheck disable=SC2086
  cargo install "$crate" --version "$version" $extra
}

# Headless browsers and their WebDriver servers for tests/web/ and the Playwright tests:
# Debian's Chromium + ChromeDriver, and Firefox ESR (geckodriver comes from crates.io).
ensure_browsers() {
  ensure_apt chromium:chromium chromedriver:chromium-driver firefox-esr:firefox-esr
}

# The wasm-bindgen version pinned in Cargo.toml (`wasm-bindgen = { version = "=0.2.X", ... }` or `"=0.2.X"`).
wasm_bindgen_version() {
  sed -n 's/^wasm-bindgen = [^"]*"=\([0-9.]*\)".*/\1/p' Cargo.toml | head -n1
}

# The rustc release the shipped modules' sizes were measured with (BENCHMARKS.md). Not pinned with
# a rust-toolchain.toml: rustup would then want a toolchain of that exact name, which a machine
# whose one toolchain is `stable` lacks even at the same release, and would try to download it for
# every cargo command. Instead scripts/pkg stops on any other release (check_toolchain): the size
# build leans on unstable flags (RUSTC_BOOTSTRAP, -Z build-std) whose output may change with it.
MEASURED_RUSTC=1.95.0

# Fails with one line when the active rustc is not the release the size build was measured with.
check_toolchain() {
  local found
  found="$(rustc --version | awk '{print $2}')"
  [ "$found" = "$MEASURED_RUSTC" ] || {
    echo "rustc $found found, the size build was measured with rustc $MEASURED_RUSTC: re-measure (scripts/pkg, BENCHMARKS.md) and set MEASURED_RUSTC in scripts/lib/setup.sh" >&2
    exit 1
  }
}

# The flags of the shipped modules' build (scripts/pkg, scripts/size-floor). core and alloc are
# rebuilt for the module (-Z build-std, with RUSTC_BOOTSTRAP as for the fuzzers: stable Rust,
# unstable flags) at the release profile's opt-level "z" and with panic=immediate-abort, instead
# of the prebuilt ones, optimised for speed and carrying the panic machinery: about 900 bytes
# gzip (BENCHMARKS.md). Without the default `std` feature: the shipped module is no_std (see
# src/lib.rs), which keeps std's panic and formatting machinery out of it.
WASM_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none"
# `-p fps-checkout`: the browser module (the workspace's default members are the native crates).
WASM_CARGO_ARGS=(-p fps-checkout --no-default-features -Zbuild-std=core,alloc)
# The wasm features wasm-bindgen 0.2.130's output uses (reference types among them).
WASM_FEATURES=(--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
  --enable-mutable-globals --enable-reference-types --enable-multivalue)
# wasm-opt's passes for the shipped module. Functions with one caller are inlined only up to 20
# instructions: merging every such function into its caller (binaryen's default) makes the
# module larger once gzipped (measured in BENCHMARKS.md: about 700 bytes gzip). The debug,
# producers and target-features sections are tooling metadata no browser reads.
WASM_OPT_PASSES=(--one-caller-inline-max-function-size=20 -Oz --strip-debug --strip-producers
  --strip-target-features)
# The shipped modules, one per kind of page, as name:cargo feature (src/wasm/mod.rs): the
# button's for product pages, the return page's for thank-you pages.
WASM_MODULES=(fps_checkout:button fps_return:return-page)

# wasm-bindgen-cli (wasm-bindgen, wasm-bindgen-test-runner) at exactly the pinned version: the CLI
# and the crate must agree or the generated glue is refused.
ensure_wasm_bindgen_cli() {
  ensure_cargo_tool wasm-bindgen wasm-bindgen-cli "$(wasm_bindgen_version)"
}

ensure_wasm_pack() {
  ensure_cargo_tool wasm-pack wasm-pack 0.15.1 --locked
}

ensure_geckodriver() {
  ensure_cargo_tool geckodriver geckodriver 0.37.1 --locked
}

# cargo-deny for `cargo deny check licenses bans` (deny.toml).
ensure_cargo_deny() {
  ensure_cargo_tool cargo-deny cargo-deny 0.20.2 --locked
}

# cargo-fuzz for fuzz/ (scripts/fuzz-smoke). Only stable Rust is installed: the fuzz scripts run
# it with RUSTC_BOOTSTRAP=1, which lets stable take the nightly-only sanitizer flags it passes.
ensure_cargo_fuzz() {
  ensure_cargo_tool cargo-fuzz cargo-fuzz 0.13.2 --locked
}

# npm ci in DIR (from its package-lock.json) unless node_modules/MARKER is already there.
ensure_npm_dir() {
  local dir="$1" marker="$2"
  [ -e "$dir/node_modules/$marker" ] && return 0
  log "installing npm packages of $dir (npm ci)"
  npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
}

# Node build tools of scripts/pkg (binaryen's wasm-opt; Debian's is broken).
ensure_npm_tools() {
  ensure_npm_dir scripts/tools .bin/wasm-opt
}

# playwright-core (drives Debian's Chromium; never downloads a browser) and TypeScript for tests/e2e.
ensure_e2e_tools() {
  ensure_npm_dir tests/e2e .bin/tsc
}

# A Python virtualenv at DIR (default target/interop-venv) with boto 2.49.0 from PyPI, for the
# interop suite (tests/interop/test_boto_interop.py); prints the venv's python. Idempotent: an
# existing venv with that boto is kept.
ensure_boto_venv() {
  local dir="${1:-${CARGO_TARGET_DIR:-target}/interop-venv}"
  if ! "$dir/bin/python" -c 'import boto, sys; sys.exit(boto.__version__ != "2.49.0")' >/dev/null 2>&1; then
    log "creating a Python virtualenv with boto 2.49.0 in $dir (pip)"
    python3 -m venv "$dir" >/dev/null 2>&1 || {
      ensure_apt_package "python3-venv"
      python3 -m venv "$dir"
    }
    "$dir/bin/pip" install --quiet --disable-pip-version-check boto==2.49.0 >&2
  fi
  printf '%s\n' "$dir/bin/python"
}

# PostgreSQL for the merchant store tests: installs Debian's `postgresql` if no server binary is
# found, starts a private cluster on 127.0.0.1:${FPS_PG_PORT:-55432} (as the postgres user when
# run as root: initdb refuses root), creates the test database and exports TEST_DATABASE_URL.
# wrk, the HTTP load generator of scripts/bench-backend and scripts/load-test.
ensure_wrk() {
  ensure_apt wrk:wrk
}

ensure_postgres() {
  local port="${FPS_PG_PORT:-55432}" dir="${FPS_PG_DIR:-/tmp/fps-checkout-pg}" db="fps_checkout_test"
  local bindir
  bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    log "installing postgresql (apt)"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
    bindir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  fi
  as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
  }
  if ! "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port"; then
    if [ ! -f "$dir/PG_VERSION" ]; then
      log "creating a PostgreSQL cluster in $dir"
      mkdir -p "$dir"
      [ "$(id -u)" -ne 0 ] || chown postgres: "$dir"
      as_pg "$bindir/initdb" -D "$dir" -A trust -U postgres --no-sync >/dev/null
    fi
    log "starting PostgreSQL on 127.0.0.1:$port"
    as_pg "$bindir/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off" start >/dev/null
  fi
  if ! "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" \
    | grep -q 1; then
    "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres "$db"
  fi
  export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/$db"
}
