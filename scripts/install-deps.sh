#!/bin/sh
# Installs, from Debian 12's packages, whatever the build and the tests need and the machine
# lacks. Run as root; does nothing when everything is there. The registry tests need
# docker-registry, skopeo and htpasswd (apache2-utils) and fail, not skip, without them.
set -eu
# clang and libclang-rt-14-dev: the libFuzzer targets (fuzz/). g++ brings the ASan and UBSan
# runtimes (libasan8, libubsan1) of the sanitizer build; util-linux (unshare) is essential.
# libbenchmark-dev (Google Benchmark) and time (/usr/bin/time): the benchmarks (bench/). groff-base:
# the man page check (tests/check_manpage.sh). chromium (headless): the report's browser test
# (tests/run_report_browser.sh).
packages="g++ cmake meson ninja-build pkg-config sqlite3 libsqlite3-dev libsqlitecpp-dev
libhowardhinnant-date-dev catch2 nlohmann-json3-dev libcli11-dev libyaml-cpp-dev libcurl4-openssl-dev libssl-dev
docker-registry skopeo apache2-utils clang libclang-rt-14-dev libbenchmark-dev time groff-base chromium
debhelper dpkg-dev fakeroot lintian"
missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "Installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    # docker-registry's package would start a registry listening on every address; the tests
    # start their own on 127.0.0.1. A policy-rc.d that answers 101 forbids service starts for
    # this install; a machine that has its own policy keeps it.
    policy=/usr/sbin/policy-rc.d
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' > "$policy"
        chmod 755 "$policy"
        trap 'rm -f "$policy"' EXIT
    fi
    apt-get update
    # shellcheck disable=SC2086
    apt-get install -y --no-install-recommends $missing
fi
