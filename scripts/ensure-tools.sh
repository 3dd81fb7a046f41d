#!/usr/bin/env bash
# Makes sure the external tools the test suite uses are present: ACPICA's iasl and acpixtract
# (Debian package acpica-tools) disassemble our tables in the conformance tests. Installs them with
# apt-get when missing and permitted (root, or sudo without a password); otherwise says what to do.
set -euo pipefail
if command -v iasl >/dev/null 2>&1 && command -v acpixtract >/dev/null 2>&1; then exit 0; fi
echo "rasgw: iasl/acpixtract not found; installing Debian's acpica-tools" >&2
if [ "$(id -u)" = "0" ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
  echo "rasgw: cannot install acpica-tools without root: run 'apt-get install -y acpica-tools' and retry" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -qq acpica-tools >/dev/null 2>&1 || { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq acpica-tools; }
command -v iasl >/dev/null 2>&1 || { echo "rasgw: acpica-tools did not install iasl" >&2; exit 1; }
