#!/bin/sh
# rspcat inside another project's build, from its source tree:
# - Meson: a project with rspcat as subprojects/rspcat (a symbolic link to this tree) that uses
#   dependency('rspcat') (tests/consumer/meson.build);
# - CMake: a project that add_subdirectory()s rspcat and defines a target of its own named
#   `rspcat`, configured with Catch2 and Google Benchmark made unfindable
#   (CMAKE_DISABLE_FIND_PACKAGE_*), so that it fails if rspcat as a subproject asks for them.
# Either way rspcat's tests and benchmarks must be off. With --build the consumer is also built
# (which compiles rspcat's libraries: minutes), run on the sample history and compared with
# expected.txt; without it both projects are only configured.
#
#   subproject.sh WORK [--build]
set -u
here=$(cd "$(dirname "$0")" && pwd)
work=$1
build=${2:-}
# shellcheck source=SCRIPTDIR/common.sh
. "$here/common.sh"

# Meson subproject. --force-fallback-for: the subproject even when an rspcat.pc is installed.
project=$work/meson-subproject
mkdir -p "$project/subprojects" || fail "cannot make $project"
cp "$here/meson.build" "$here/main.cpp" "$project/"
ln -sfn "$source_dir" "$project/subprojects/rspcat"
run_logged "$work/meson-subproject.log" meson setup --force-fallback-for=rspcat "$project/build" "$project"
grep -q 'Dependency rspcat found: YES .* (overridden)' "$work/meson-subproject.log" ||
    fail "meson-subproject: dependency('rspcat') did not come from the subproject (log: $work/meson-subproject.log)"
tests=$(meson introspect --tests "$project/build") || fail "meson-subproject: meson introspect --tests failed"
[ "$tests" = "[]" ] || fail "meson-subproject: rspcat's tests are defined in a project that uses it: $tests"
meson introspect --targets "$project/build" | grep -q '"name": "bench_' &&
    fail "meson-subproject: rspcat's benchmarks are built in a project that uses it"
ok "meson-subproject: dependency('rspcat') from subprojects/rspcat; no rspcat tests or benchmarks"
if [ "$build" = --build ]; then
    run_logged "$work/meson-subproject.log" meson compile -C "$project/build" -j 2 rspcat-consumer
    check_consumer meson-subproject "$project/build/rspcat-consumer"
fi

# CMake add_subdirectory, next to a target of the consumer's own named rspcat.
project=$work/cmake-subdirectory
mkdir -p "$project" || fail "cannot make $project"
cp "$here/main.cpp" "$project/"
cat > "$project/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.22)
project(uses_rspcat LANGUAGES CXX)
add_subdirectory("$source_dir" external/rspcat)
add_executable(rspcat main.cpp)
target_link_libraries(rspcat PRIVATE rspcat::catalog rspcat::registry)
EOF
run_logged "$work/cmake-subdirectory.log" cmake -S "$project" -B "$project/build" -G Ninja \
    -DCMAKE_DISABLE_FIND_PACKAGE_Catch2=ON -DCMAKE_DISABLE_FIND_PACKAGE_benchmark=ON
for option in RSPCAT_TESTS RSPCAT_BENCH RSPCAT_FUZZ RSPCAT_INSTALL; do
    grep -qx "$option:BOOL=OFF" "$project/build/CMakeCache.txt" ||
        fail "cmake-subdirectory: $option is not OFF by default under add_subdirectory"
done
ok "cmake-subdirectory: configures beside a target named rspcat, without Catch2 or Google Benchmark; tests, benchmarks and install rules off"
if [ "$build" = --build ]; then
    run_logged "$work/cmake-subdirectory.log" cmake --build "$project/build" -j 2 --target rspcat
    check_consumer cmake-subdirectory "$project/build/rspcat"
fi
