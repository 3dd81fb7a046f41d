#!/usr/bin/env bash
# Makes sure the external tools the test suite uses are present: ACPICA's iasl and acpixtract
# (Debian package acpica-tools) disassemble our tables in the conformance tests, and Debian's
# chromium runs the web console's browser tests (driven headless by playwright-core; no browser
# download). Installs what is missing with apt-get when permitted (root, or sudo without a
# password); otherwise says what to do.
set -euo pipefail
packages=()
if ! command -v iasl >/dev/null 2>&1 || ! command -v acpixtract >/dev/null 2>&1; then packages+=(acpica-tools); fi
if [ ! -x "${RASGW_CHROMIUM:-/usr/bin/chromium}" ]; then packages+=(chromium); fi
if [ "${#packages[@]}" -eq 0 ]; then exit 0; fi
echo "rasgw: installing Debian's ${packages[*]} (missing)" >&2
if [ "$(id -u)" = "0" ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
  echo "rasgw: cannot install ${packages[*]} without root: run 'apt-get install -y ${packages[*]}' and retry" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -qq "${packages[@]}" >/dev/null 2>&1 || { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${packages[@]}"; }
command -v iasl >/dev/null 2>&1 || { echo "rasgw: acpica-tools did not install iasl" >&2; exit 1; }
[ -x "${RASGW_CHROMIUM:-/usr/bin/chromium}" ] || { echo "rasgw: chromium did not install ${RASGW_CHROMIUM:-/usr/bin/chromium}" >&2; exit 1; }
