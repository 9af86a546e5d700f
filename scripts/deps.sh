#!/usr/bin/env bash
# Installs the Debian packages genu needs when they are missing. Idempotent
# and quiet when everything is present. Usage: scripts/deps.sh build|test
set -eu
build_pkgs=(cmake pkg-config gcc make libsqlite3-dev libjansson-dev libsodium-dev libgsl-dev
            libcmocka-dev libpq-dev libmicrohttpd-dev libgnutls28-dev libcsv-dev libcurl4-openssl-dev
            dpkg-dev help2man)
test_pkgs=(clang libclang-rt-14-dev r-base-core r-cran-survival r-cran-sandwich r-cran-cmprsk sqlite3 python3
           python3-aiosmtpd curl postgresql openssl lintian)
want=("${build_pkgs[@]}")
[ "${1:-build}" = test ] && want+=("${test_pkgs[@]}")
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# the web interface: Node.js and npm (any source: Debian's or NodeSource's,
# whose nodejs carries npm), and chromium for the browser tests
command -v npm >/dev/null || missing+=(nodejs npm)
[ "${1:-build}" = test ] && [ ! -x /usr/bin/chromium ] && missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "genu: installing ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
