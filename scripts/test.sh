#!/bin/sh
# Builds everything with both CMake and Meson and runs every test in both; then runs every test
# again in an ASan+UBSan build, and each libFuzzer target for RSPCAT_FUZZ_SECONDS (default 60;
# 0 skips fuzzing).
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
(cd build && ctest --output-on-failure -j2)

# The same tests under AddressSanitizer and UndefinedBehaviorSanitizer (leaks included).
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRSPCAT_SANITIZE=ON
cmake --build build-asan
(cd build-asan && ctest --output-on-failure -j2)

seconds=${RSPCAT_FUZZ_SECONDS:-60}
if [ "$seconds" -gt 0 ]; then
    sh fuzz/run "$seconds"
fi
