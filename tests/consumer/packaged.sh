#!/bin/sh
# Checks the Debian packages as built (scripts/package.sh) without installing them: unpacks every
# package but the -dbgsym ones into one root with dpkg -x, then runs the packaged rspcat
# --version, loads the packaged rsp.so by bare name in the stock sqlite3, checks what the
# extension and the shared libraries export, and builds tests/consumer against the packaged
# librspcat-dev with find_package and with pkg-config, comparing its output with expected.txt.
#
#   packaged.sh DEB_DIR WORK
#
# The packages' files live under WORK/root/usr; LD_LIBRARY_PATH stands in for the library
# directory an installed package would be found in.
set -u
here=$(cd "$(dirname "$0")" && pwd)
debs=$1 work=$2
checking="packages: "
# shellcheck source=SCRIPTDIR/common.sh
. "$here/common.sh"

root=$work/root
mkdir -p "$root"
count=0
for deb in "$debs"/*.deb; do
    case $deb in *-dbgsym_*) continue ;; esac
    dpkg -x "$deb" "$root" || fail "dpkg -x $deb"
    count=$((count + 1))
done
[ "$count" -eq 6 ] || fail "expected 6 packages in $debs, found $count"
libdir=$root/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)
export LD_LIBRARY_PATH="$libdir"

first=$("$root/usr/bin/rspcat" --version | head -n 1) || fail "the packaged rspcat --version failed"
[ "$first" = "rspcat $version" ] || fail "the packaged rspcat --version says '$first', VERSION says $version"
ok "usr/bin/rspcat --version: $first"

ext=$(sqlite3 -batch :memory: '.load rsp' 'select rsp_version()' 2>&1) || fail "sqlite3 cannot .load rsp: $ext"
[ "$ext" = "$version" ] || fail "rsp_version() is '$ext', VERSION says $version"
ok "sqlite3 loads rsp by bare name from the library directory; rsp_version() is $ext"

exported=$(nm -D --defined-only "$libdir/rsp.so" | awk '{ print $NF }' | tr '\n' ' ')
[ "$exported" = "sqlite3_rsp_init " ] || fail "rsp.so exports [$exported], not only sqlite3_rsp_init"
# The shared libraries export rspcat's API and nothing else (no std:: or SQLiteCpp code).
for layer in core catalog registry; do
    lib=$libdir/librspcat-$layer.so.0
    [ -f "$lib" ] || fail "no $lib"
    soname=$(objdump -p "$lib" | awk '$1 == "SONAME" { print $2 }')
    [ "$soname" = "librspcat-$layer.so.0" ] || fail "$lib has SONAME '$soname'"
    others=$(nm -D --defined-only -C "$lib" | cut -d' ' -f3- |
             grep -v -e '^rspcat::' -e '^typeinfo for rspcat::' -e '^typeinfo name for rspcat::' \
                     -e '^vtable for rspcat::' -e '^rsp_register_sql' -e '^RSPCAT_' || true)
    [ -z "$others" ] || fail "librspcat-$layer exports more than the API: $(echo "$others" | head -n 5)"
done
ok "rsp.so exports only sqlite3_rsp_init; librspcat-{core,catalog,registry}.so.0 export only rspcat's API"

run_logged "$work/find-package.log" cmake -S "$here" -B "$work/find-package" -G Ninja -DCMAKE_PREFIX_PATH="$root/usr"
run_logged "$work/find-package.log" cmake --build "$work/find-package" -j 2
check_consumer find-package "$work/find-package/rspcat-consumer" "$work/find-package.db"
flags=$(PKG_CONFIG_PATH=$libdir/pkgconfig pkg-config --cflags --libs rspcat) || fail "pkg-config rspcat failed"
# shellcheck disable=SC2086
run_logged "$work/pkg-config.log" c++ -std=c++20 -o "$work/pkg-config-consumer" "$here/main.cpp" $flags
check_consumer pkg-config "$work/pkg-config-consumer" "$work/pkg-config.db"