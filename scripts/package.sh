#!/bin/sh
# Builds the Debian packages (rspcat, librspcat-core0, librspcat-catalog0, librspcat-registry0,
# librspcat-dev, libsqlite3-mod-rspcat and their -dbgsym packages) with dpkg-buildpackage and
# debhelper from debian/, then checks them with lintian and fails on any lintian error.
# docs/packaging.md says what each package holds.
#
# Usage: sh scripts/package.sh [OUTDIR]     (OUTDIR defaults to build-deb/ in this tree)
#
# The tree is copied to a temporary folder first, because dpkg-buildpackage writes its results
# beside the source folder and leaves debian/ full of build files; this tree stays as it was.
# DEB_BUILD_OPTIONS is passed on: "nocheck" skips the smoke test of debian/rules, and without a
# "parallel=N" the build uses every core. Run scripts/install-deps.sh first (as root) on a
# fresh machine; dpkg-buildpackage stops with the list of missing build dependencies otherwise.
set -eu
start=$(pwd)
cd "$(dirname "$0")/.."
root=$(pwd)

out=${1:-build-deb}
case $out in
    /*) ;;
    *) if [ $# -gt 0 ]; then out="$start/$out"; else out="$root/$out"; fi ;;
esac

for tool in dpkg-buildpackage dpkg-parsechangelog dh lintian; do
    if ! command -v "$tool" > /dev/null; then
        echo "package.sh: $tool is missing: run scripts/install-deps.sh as root" >&2
        exit 1
    fi
done

# The package version is the project's: debian/changelog must name the version in VERSION.
version=$(cat VERSION)
deb_version=$(dpkg-parsechangelog -S Version)
if [ "$deb_version" != "$version" ]; then
    echo "package.sh: debian/changelog says $deb_version but VERSION says $version;" \
         "add a debian/changelog entry (dch -v $version)" >&2
    exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/rspcat-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 1' HUP INT PIPE TERM
src="$work/rspcat-$version"
mkdir "$src"
# From a git checkout: the tracked files and any new ones not ignored (so build folders stay
# behind); from an unpacked tarball: everything but the build folders.
if git -C "$root" rev-parse --is-inside-work-tree > /dev/null 2>&1; then
    git -C "$root" ls-files -z --cached --others --exclude-standard \
        | (cd "$root" && tar --null --ignore-failed-read -T - -cf -) \
        | tar -C "$src" -xf -
else
    tar -C "$root" --exclude=./.git --exclude='./build' --exclude='./build-*' -cf - . \
        | tar -C "$src" -xf -
fi

case " ${DEB_BUILD_OPTIONS:-} " in
    *" parallel="*) ;;
    *) DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:+$DEB_BUILD_OPTIONS }parallel=$(nproc)" ;;
esac
export DEB_BUILD_OPTIONS

echo "Building the packages in $src (DEB_BUILD_OPTIONS=$DEB_BUILD_OPTIONS)"
began=$(date +%s)
(cd "$src" && dpkg-buildpackage -us -uc -b)
echo "dpkg-buildpackage took $(( $(date +%s) - began )) s"

arch=$(dpkg-architecture -qDEB_HOST_ARCH)
changes="rspcat_${version}_${arch}.changes"
mkdir -p "$out"
# Only this version's results are replaced; anything else in the folder stays.
rm -f "$out"/*_"${version}"_*.deb "$out"/*_"${version}"_*.ddeb "$out/rspcat_${version}_${arch}.buildinfo" \
      "$out/$changes"
for f in "$work"/*.deb "$work"/*.ddeb "$work"/*.buildinfo "$work"/*.changes; do
    [ -e "$f" ] && mv "$f" "$out/"
done

echo "lintian $changes:"
# --fail-on error is lintian's default; it is spelled out because it is the point.
if ! lintian --fail-on error "$out/$changes"; then
    echo "package.sh: lintian found errors" >&2
    exit 1
fi

echo "Packages in $out:"
ls -l "$out"/*_"${version}"_*.deb "$out"/*_"${version}"_*.ddeb 2> /dev/null || true
