#!/bin/sh
# Installs the existing CMake and Meson builds into temporary directories and checks the installs
# as users meet them (tests/consumer/run.sh): a program built against each with CMake's
# find_package, pkg-config and Meson's dependency('rspcat'), the extension loaded by bare name
# in the stock sqlite3, the tool. Then configures a project that has rspcat as a Meson subproject
# and one that add_subdirectory()s it (tests/consumer/subproject.sh; RSPCAT_SUBPROJECT_BUILD=1
# also builds and runs them, which compiles rspcat twice more).
# Usage, after both builds (scripts/test.sh): sh scripts/test-install.sh [BUILD [BUILD_MESON]]
# (default build and build-meson). Run from anywhere; temporary files go away unless it fails.
set -u
cd "$(dirname "$0")/.." || exit 1
cmake_build=${1:-build}
meson_build=${2:-build-meson}
start=$(date +%s)

fail() {
    echo "test-install: FAIL: $*" >&2
    exit 1
}
[ -f "$cmake_build/CMakeCache.txt" ] || fail "no CMake build in $cmake_build (run scripts/test.sh first)"
[ -f "$meson_build/meson-private/coredata.dat" ] || fail "no Meson build in $meson_build (run scripts/test.sh first)"
for tool in cmake meson ninja pkg-config sqlite3 nm c++; do
    command -v $tool > /dev/null || fail "$tool is not installed (sh scripts/install-deps.sh)"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/rspcat-test-install.XXXXXX") || fail "cannot make a temporary directory"
keep=1
trap '[ $keep = 0 ] && rm -rf "$work"' EXIT

echo "test-install: cmake --install $cmake_build --prefix $work/cmake-prefix"
cmake --install "$cmake_build" --prefix "$work/cmake-prefix" > "$work/cmake-install.log" 2>&1 ||
    { tail -n 20 "$work/cmake-install.log" >&2; fail "cmake --install $cmake_build failed (log: $work/cmake-install.log)"; }

# Builds configured before rspcat.pc became relocatable keep the old default; the install under
# a DESTDIR needs it (a fresh `meson setup` has it).
if meson introspect --buildoptions "$meson_build" | grep -q '"name": "pkgconfig.relocatable", "value": false'; then
    echo "test-install: meson configure $meson_build -Dpkgconfig.relocatable=true (older build directory)"
    meson configure "$meson_build" -Dpkgconfig.relocatable=true > "$work/meson-configure.log" 2>&1 ||
        { tail -n 20 "$work/meson-configure.log" >&2; fail "meson configure $meson_build failed"; }
fi
echo "test-install: meson install -C $meson_build --destdir $work/meson-destdir"
meson install -C "$meson_build" --destdir "$work/meson-destdir" > "$work/meson-install.log" 2>&1 ||
    { tail -n 20 "$work/meson-install.log" >&2; fail "meson install -C $meson_build failed (log: $work/meson-install.log)"; }

mkdir "$work/consumer" "$work/subproject"
sh tests/consumer/run.sh "$work/cmake-prefix" "$work/meson-destdir" "$work/consumer" ||
    fail "an installed rspcat does not work as docs/install.md says (files kept in $work)"
build_flag=
[ "${RSPCAT_SUBPROJECT_BUILD:-0}" = 1 ] && build_flag=--build
sh tests/consumer/subproject.sh "$work/subproject" $build_flag ||
    fail "rspcat as a subproject does not work as docs/install.md says (files kept in $work)"

keep=0
echo "test-install: passed in $(($(date +%s) - start)) s"
