#!/bin/sh
# Checks an installed rspcat the way its users meet it, for an install by CMake and one by Meson:
# builds tests/consumer/main.cpp against each (CMake's find_package, plain pkg-config, Meson's
# dependency('rspcat')), runs it on the sample history and compares its output with
# expected.txt; loads the installed rsp.so by bare name in the stock sqlite3; checks that rsp.so
# exports sqlite3_rsp_init alone; runs the installed rspcat on the catalog the consumer wrote;
# and checks that the headers, the man page and the completion are where docs/install.md says.
#
#   run.sh CMAKE_PREFIX MESON_DESTDIR WORK
#
# CMAKE_PREFIX: what `cmake --install build --prefix CMAKE_PREFIX` made. MESON_DESTDIR: what
# `meson install -C build-meson --destdir MESON_DESTDIR` made (found inside it: the configured
# prefix). WORK: an empty directory for the consumer builds. Prints one line per check; the first
# failure stops it with `FAIL:` and what went wrong, and exit status 1.
set -u
here=$(cd "$(dirname "$0")" && pwd)
cmake_prefix=$1 meson_destdir=$2 work=$3
# shellcheck source=SCRIPTDIR/common.sh
. "$here/common.sh"

# check_install NAME ROOT: the installed tree under ROOT (a prefix, or a DESTDIR holding one).
check_install() {
    name=$1 root=$2
    pc=$(find "$root" -name rspcat.pc -path '*/pkgconfig/*')
    if [ -z "$pc" ] || [ "$(echo "$pc" | wc -l)" -ne 1 ]; then
        fail "$name: not one rspcat.pc under $root: '$pc'"
    fi
    libdir=$(dirname "$(dirname "$pc")")
    prefix=$(find "$root" -path '*/bin/rspcat' -type f)
    [ -n "$prefix" ] || fail "$name: no bin/rspcat under $root"
    prefix=$(dirname "$(dirname "$prefix")")

    # The tool.
    tool_version=$("$prefix/bin/rspcat" --version | head -n 1) || fail "$name: $prefix/bin/rspcat --version failed"
    [ "$tool_version" = "rspcat $version" ] ||
        fail "$name: rspcat --version printed '$tool_version' first, VERSION says $version"
    ok "$name: bin/rspcat --version is $version"

    # The extension, by bare name, as docs/sql.md tells users to load it.
    [ -f "$libdir/rsp.so" ] || fail "$name: no rsp.so in $libdir"
    ext_version=$(LD_LIBRARY_PATH=$libdir sqlite3 -batch :memory: '.load rsp' 'select rsp_version()' 2>&1) ||
        fail "$name: sqlite3 could not .load rsp from $libdir: $ext_version"
    [ "$ext_version" = "$version" ] || fail "$name: rsp_version() is '$ext_version', VERSION says $version"
    ok "$name: sqlite3 loads rsp by bare name; rsp_version() is $version"
    exported=$(nm -D --defined-only "$libdir/rsp.so" | awk '{ print $NF }' | sort | tr '\n' ' ')
    [ "$exported" = "sqlite3_rsp_init " ] || fail "$name: rsp.so exports [$exported], not only sqlite3_rsp_init"
    ok "$name: rsp.so exports only sqlite3_rsp_init"

    # Headers: the public ones, and nothing else.
    # shellcheck disable=SC2012
    headers=$(cd "$prefix/include/rspcat" && LC_ALL=C ls | tr '\n' ' ')
    want="catalog.hpp error.hpp export.hpp gar.hpp image.hpp json_listing.hpp listing.hpp manifest.hpp policy.hpp prune.hpp registry.hpp semver.hpp sql.hpp tag.hpp time.hpp version.hpp "
    [ "$headers" = "$want" ] || fail "$name: include/rspcat holds [$headers], not [$want]"
    [ -f "$prefix/share/man/man1/rspcat.1" ] || fail "$name: no share/man/man1/rspcat.1"
    [ -f "$prefix/share/bash-completion/completions/rspcat" ] ||
        fail "$name: no share/bash-completion/completions/rspcat"
    ok "$name: headers, man page and bash completion in place"
}

# The catalog a consumer wrote, read by the installed tool.
check_tool_reads() {
    name=$1 root=$2 db=$3
    tool=$(find "$root" -path '*/bin/rspcat' -type f)
    shown=$("$tool" --read-only --db "$db" show recommended --format csv) || fail "$name: rspcat show on $db failed"
    echo "$shown" | grep -q ',r30_0_10_rsp2991,' ||
        fail "$name: rspcat show recommended on the consumer's catalog: $shown"
    ok "$name: bin/rspcat reads the catalog the consumer wrote"
}

cmake_prefix=$(cd "$cmake_prefix" && pwd) || fail "no CMake install at $1"
meson_destdir=$(cd "$meson_destdir" && pwd) || fail "no Meson install at $2"
check_install cmake-install "$cmake_prefix"
check_install meson-install "$meson_destdir"

# The build files below are the ones docs/install.md and README.md show: check that they show them verbatim
# (without their first comment lines).
flat() {
    grep -v '^#' "$1" | tr '\n' '\001'
}
for doc in docs/install.md README.md; do
    for file in CMakeLists.txt meson.build; do
        flat "$source_dir/$doc" | grep -qF -- "$(flat "$here/$file")" ||
            fail "$doc does not show tests/consumer/$file as it is"
    done
    # shellcheck disable=SC2016  # the line as the docs print it
    grep -qF 'c++ -std=c++20 -o rspcat-consumer main.cpp $(pkg-config --cflags --libs rspcat)' "$source_dir/$doc" ||
        fail "$doc does not give the pkg-config line this test runs"
done
ok "docs/install.md and README.md show tests/consumer/CMakeLists.txt, meson.build and the pkg-config line verbatim"

# CMake install, find_package(rspcat 0.1) and rspcat::catalog (CMakeLists.txt).
run_logged "$work/cmake-find-package.log" cmake -S "$here" -B "$work/cmake-find-package" -G Ninja \
    -DCMAKE_PREFIX_PATH="$cmake_prefix"
run_logged "$work/cmake-find-package.log" cmake --build "$work/cmake-find-package" -j 2
check_consumer cmake-find-package "$work/cmake-find-package/rspcat-consumer" "$work/cmake-find-package.db"
check_tool_reads cmake-install "$cmake_prefix" "$work/cmake-find-package.db"

# Plain pkg-config, on both installs: the line docs/install.md gives.
for install in cmake-install meson-install; do
    [ $install = cmake-install ] && root=$cmake_prefix || root=$meson_destdir
    pc_dir=$(dirname "$(find "$root" -name rspcat.pc)")
    pc_flags=$(PKG_CONFIG_PATH=$pc_dir pkg-config --cflags --libs rspcat) ||
        fail "$install: pkg-config --cflags --libs rspcat failed"
    # shellcheck disable=SC2086
    run_logged "$work/$install-pkg-config.log" c++ -std=c++20 -o "$work/$install-pkg-config" "$here/main.cpp" $pc_flags
    check_consumer "$install-pkg-config" "$work/$install-pkg-config" "$work/$install-pkg-config.db"
done

# Meson install, dependency('rspcat') through pkg-config (meson.build).
meson_pc_dir=$(dirname "$(find "$meson_destdir" -name rspcat.pc)")
run_logged "$work/meson-dependency.log" env PKG_CONFIG_PATH="$meson_pc_dir" \
    meson setup "$work/meson-dependency" "$here"
run_logged "$work/meson-dependency.log" meson compile -C "$work/meson-dependency" -j 2
check_consumer meson-dependency "$work/meson-dependency/rspcat-consumer" "$work/meson-dependency.db"
check_tool_reads meson-install "$meson_destdir" "$work/meson-dependency.db"

# Meson install, find_package(rspcat) through the CMake package Meson writes.
meson_prefix=$(dirname "$(dirname "$(find "$meson_destdir" -path '*/bin/rspcat' -type f)")")
run_logged "$work/meson-find-package.log" cmake -S "$here" -B "$work/meson-find-package" -G Ninja \
    -DCMAKE_PREFIX_PATH="$meson_prefix"
run_logged "$work/meson-find-package.log" cmake --build "$work/meson-find-package" -j 2
check_consumer meson-find-package "$work/meson-find-package/rspcat-consumer" "$work/meson-find-package.db"
echo "consumer: every check passed"
