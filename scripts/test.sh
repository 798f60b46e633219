#!/bin/sh
# Builds everything with both CMake and Meson and runs every test in both.
# Usage (as root on a fresh Debian 12): sh scripts/test.sh
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh

if [ -d build-meson/meson-private ]; then
    meson setup --reconfigure build-meson
else
    meson setup build-meson
fi
meson compile -C build-meson
meson test -C build-meson --print-errorlogs

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build
cd build && ctest --output-on-failure -j2
