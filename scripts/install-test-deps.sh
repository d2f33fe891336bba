#!/usr/bin/env bash
# Installs the system (apt) packages the test suite needs. Idempotent; safe as root with no TTY (CI=true).
# Node dependencies are not installed here: run `npm ci` first (see .ci/run).
#
# To add a system dependency, add a `need_apt <pkg>...` line at the bottom, e.g. `need_apt chromium postgresql`.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

APT_UPDATED=0
NEEDED_ANY=0

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo -n "$@"
  else
    echo "install-test-deps: need root (or passwordless sudo) to run: $*" >&2
    return 1
  fi
}

is_installed() {
  dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed'
}

# need_apt pkg... : install the given apt packages that are not installed yet (apt-get update at most once).
need_apt() {
  NEEDED_ANY=1
  local missing=()
  local pkg
  for pkg in "$@"; do
    if ! is_installed "$pkg"; then
      missing+=("$pkg")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    echo "install-test-deps: already installed: $*"
    return 0
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-test-deps: apt-get not found; install manually: ${missing[*]}" >&2
    return 1
  fi
  if [ "$APT_UPDATED" -eq 0 ]; then
    sudo_if_needed apt-get -o DPkg::Lock::Timeout=300 update -qq
    APT_UPDATED=1
  fi
  echo "install-test-deps: installing ${missing[*]}"
  # Another apt run (unattended-upgrades, a parallel job) holds the lock: wait up to 5 minutes rather than fail.
  sudo_if_needed apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}"
}

# --- system packages needed by tests ---
# Debian's chromium for the dashboard's browser tests (playwright-core drives it; never download a browser).
need_apt chromium
# DejaVu Sans for the simulator report's charts (packages/sim/src/report/charts.ts); without it chart text is dropped.
need_apt fonts-dejavu-core
# need_apt postgresql

if [ "$NEEDED_ANY" -eq 0 ]; then
  echo "install-test-deps: no system packages needed yet"
fi
