#!/usr/bin/env bash
# Installs what building (and, with --test, testing) the helpdesk needs, skipping whatever is
# already here. Safe to run on every build: a machine that has everything returns in a second.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
with_test_tools=false
[[ "${1:-}" == "--test" ]] && with_test_tools=true

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  command -v apt-get >/dev/null || die "cannot install $*: no apt-get here; install it with your package manager"
  log "installing $* (Debian packages)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >/dev/null \
    || { as_root apt-get update >/dev/null && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >/dev/null; }
}

command -v cargo >/dev/null || die "cargo not found: install Rust 1.95 with rustup first"
command -v npm >/dev/null || die "npm not found: install Node.js 20+ first"

# The WASM target; the offline tarball next to the project is the fallback.
sysroot="$(rustc --print sysroot)"
if [[ ! -d "$sysroot/lib/rustlib/wasm32-unknown-unknown" ]]; then
  log "adding the wasm32-unknown-unknown target"
  if ! rustup target add wasm32-unknown-unknown; then
    tarball="$root/../shared/toolchain/rust-std-$(rustc --version | cut -d' ' -f2)-wasm32-unknown-unknown.tar.xz"
    [[ -f "$tarball" ]] || die "rustup could not add the wasm32 target and $tarball is missing"
    log "rustup failed; unpacking $tarball"
    tar -xJf "$tarball" -C "$sysroot/lib/rustlib/"
  fi
fi

# cargo-leptos 0.3.10 (0.3.11 needs a newer rustc); no_downloads makes it use the tools on PATH.
if ! cargo leptos --version 2>/dev/null | grep -q '0\.3\.10'; then
  log "installing cargo-leptos 0.3.10 (about 20 minutes, once)"
  cargo install cargo-leptos --version 0.3.10 --locked --features no_downloads
fi

# The wasm-bindgen CLI must equal the wasm-bindgen crate in Cargo.lock exactly.
bindgen_version="$(grep -A1 '^name = "wasm-bindgen"$' "$root/Cargo.lock" | sed -n 's/^version = "\(.*\)"/\1/p')"
[[ -n "$bindgen_version" ]] || die "wasm-bindgen is missing from Cargo.lock"
if [[ "$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2)" != "$bindgen_version" ]]; then
  log "installing wasm-bindgen-cli $bindgen_version (about 3 minutes, once)"
  # Not --locked: its lockfile names a crate version the registry lacks.
  cargo install wasm-bindgen-cli --version "$bindgen_version"
fi

# wasm-opt for release builds; Debian's binaryen is too old for current rustc output.
if ! wasm-opt --version 2>/dev/null | grep -qE 'version (1[2-9][0-9]|[2-9][0-9]{2})'; then
  log "installing wasm-opt (npm binaryen)"
  as_root npm install -g binaryen >/dev/null
fi

# Python's brotli: scripts/bundle-split.py compresses the release build's page bundles with it.
if ! python3 -c 'import brotli' 2>/dev/null; then
  log "installing brotli (Python) for the release build's page bundles"
  python3 -m pip install --quiet --disable-pip-version-check brotli 2>/dev/null \
    || die "could not install brotli with pip"
fi

$with_test_tools || exit 0

# A headless browser for the Playwright suite.
if [[ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]]; then
  apt_install chromium
fi

# playwright-core drives that browser; it never downloads one of its own.
if [[ ! -d "$root/end2end/node_modules/playwright-core" ]]; then
  log "installing the end-to-end test dependencies"
  (cd "$root/end2end" && npm ci --no-audit --no-fund >/dev/null)
fi

# aiosmtpd: the real SMTP server the mail delivery tests send to.
if ! python3 -c 'import aiosmtpd' 2>/dev/null; then
  log "installing aiosmtpd (Python) for the mail delivery tests"
  python3 -m pip install --quiet --disable-pip-version-check aiosmtpd 2>/dev/null \
    || die "could not install aiosmtpd with pip"
fi

# Dovecot: the real IMAP server the mailbox polling tests read from (each test starts its own).
if [[ ! -x /usr/sbin/dovecot ]]; then
  apt_install dovecot-imapd
fi

# PostgreSQL for the scale-out backend's tests.
pg_host="${PGHOST_TEST:-127.0.0.1}"
if ! pg_isready -q -h "$pg_host" -p 5432 2>/dev/null; then
  if ! command -v pg_ctlcluster >/dev/null; then
    apt_install postgresql
  fi
  version="$(ls /etc/postgresql | sort -V | tail -n1)"
  log "starting PostgreSQL $version"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do pg_isready -q -h "$pg_host" -p 5432 && break; sleep 1; done
  pg_isready -q -h "$pg_host" -p 5432 || die "PostgreSQL is not answering on $pg_host:5432"
fi
