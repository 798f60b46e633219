#!/bin/sh
# The full test suite, as CI runs it (README): builds everything with Meson (in a bare clone of
# this repository, so that nothing outside it is read) and with CMake, runs every test in both,
# installs both builds and builds a consumer project against each install, builds the Debian
# packages (lintian-clean of errors) and checks them unpacked, runs every test again in an
# ASan+UBSan build, and runs each libFuzzer target for RSPCAT_FUZZ_SECONDS (default 30; 0 skips
# fuzzing). Prints how long each stage took.
# Usage (as root on a fresh Debian 12): sh scripts/test.sh
set -eu
cd "$(dirname "$0")/.."
started=$(date +%s)
stage() { echo "=== $1 (at $(( $(date +%s) - started )) s)"; }

stage "dependencies"
sh scripts/install-deps.sh

# A bare clone: only what git tracks, in a directory of its own (nothing beside it, no build trees).
stage "Meson build and tests, in a bare clone"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
clone=$scratch/rspcat
if git rev-parse --is-inside-work-tree > /dev/null 2>&1; then
    git clone --quiet --no-hardlinks "$PWD" "$clone"
else
    # Not a git checkout (an unpacked tarball): everything but build trees.
    mkdir "$clone"
    tar --exclude=./.git --exclude='./build' --exclude='./build-*' -cf - . | tar -C "$clone" -xf -
fi
meson setup "$clone/build-meson" "$clone" > "$scratch/meson-setup.log" || { cat "$scratch/meson-setup.log"; exit 1; }
meson compile -C "$clone/build-meson"
meson test -C "$clone/build-meson" --print-errorlogs

stage "CMake build and tests"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build
(cd build && ctest --output-on-failure -j2)

stage "install from both builds, consumer projects"
sh scripts/test-install.sh build "$clone/build-meson"

stage "Debian packages"
sh scripts/package.sh "$scratch/debs"
mkdir "$scratch/packaged"
sh tests/consumer/packaged.sh "$scratch/debs" "$scratch/packaged"

# The same tests under AddressSanitizer and UndefinedBehaviorSanitizer (leaks included).
stage "ASan+UBSan build and tests"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRSPCAT_SANITIZE=ON
cmake --build build-asan
(cd build-asan && ctest --output-on-failure -j2)

seconds=${RSPCAT_FUZZ_SECONDS:-30}
if [ "$seconds" -gt 0 ]; then
    stage "fuzzing"
    sh fuzz/run "$seconds"
fi
stage "done"
