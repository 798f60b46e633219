#!/bin/sh
# Installs, from Debian 12's packages, whatever the build and the tests need and the machine
# lacks. Run as root; does nothing when everything is there.
set -eu
packages="g++ cmake meson ninja-build pkg-config sqlite3 libsqlite3-dev libsqlitecpp-dev
libhowardhinnant-date-dev catch2 nlohmann-json3-dev libcli11-dev libcurl4-openssl-dev"
missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "Installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    # shellcheck disable=SC2086
    apt-get install -y --no-install-recommends $missing
fi
