#!/bin/sh
# Installs the Debian packages the full test suite uses, when they are missing:
#   openssl      re-checks the HMAC known-answer vectors independently (tests/test_vectors.py)
#   libsodium23  the native OPRF backend, compared byte for byte with the portable one
#   chromium     opens the inzage HTML report headless: screenshots, phone layout, axe-core
#   nodejs, npm  npm fetches axe-core (the WCAG checker) into ~/.cache/verwijsindex-tests;
#                node cross-checks the RFC 8785 canonical JSON against ECMAScript itself
#   postgresql   the shared store suite starts a throwaway cluster from its initdb/pg_ctl
# Needs root (or sudo) only when something is missing; does nothing otherwise.
set -eu
missing=""
command -v openssl >/dev/null 2>&1 || missing="$missing openssl"
python3 -c 'import ctypes.util, sys; sys.exit(not ctypes.util.find_library("sodium"))' || missing="$missing libsodium23"
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing="$missing python3-venv"
if [ -n "$missing" ]; then
  echo "installing:$missing"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
  # shellcheck disable=SC2086
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing
fi
