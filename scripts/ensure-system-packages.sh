#!/usr/bin/env bash
# Installs the Debian packages beredskap needs when they are missing and apt is usable
# (root, or passwordless sudo). Usage: ensure-system-packages.sh PACKAGE...
set -euo pipefail

missing=()
for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    apt_get=(apt-get)
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    apt_get=(sudo -n apt-get)
else
    echo "Missing Debian packages: ${missing[*]}; install them with apt-get (needs root)." >&2
    exit 1
fi
echo "Installing ${missing[*]} with apt-get" >&2
"${apt_get[@]}" update -qq
DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -qq --no-install-recommends "${missing[@]}"
