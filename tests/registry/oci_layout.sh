#!/bin/sh
# Builds OCI image layouts for the registry tests, with nothing but POSIX sh, GNU tar, gzip and
# sha256sum, so that skopeo can push them to a real registry without a container engine.
#
#   oci_layout.sh image LAYOUT REF TEXT [ARCH [CREATED]]
#                                               one image whose single layer holds TEXT, its
#                                               config `created` at CREATED when given
#   oci_layout.sh index LAYOUT REF REF...        a multi-architecture index of images in LAYOUT
#
# Each REF is recorded in LAYOUT/index.json (org.opencontainers.image.ref.name), so that
# `skopeo copy oci:LAYOUT:REF …` finds it, and in LAYOUT/refs.txt as `REF MEDIATYPE DIGEST SIZE
# ARCH` lines for the tests to read, and each image's blobs in LAYOUT/blobs.txt as `REF
# CONFIG_DIGEST CONFIG_SIZE LAYER_DIGEST LAYER_SIZE` lines. Different TEXTs give different layers
# and digests.
set -eu

# add_blob FILE: moves FILE into the blob store; prints "DIGEST SIZE".
add_blob() {
    hex=$(sha256sum "$1" | cut -d' ' -f1)
    size=$(wc -c < "$1" | tr -d ' ')
    mv "$1" "$layout/blobs/sha256/$hex"
    echo "sha256:$hex $size"
}

# record REF MEDIATYPE DIGEST SIZE ARCH: adds REF to the layout's index.json.
record() {
    printf '{"mediaType":"%s","digest":"%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"%s"}}\n' \
        "$2" "$3" "$4" "$1" >> "$layout/refs.jsonl"
    printf '{"schemaVersion":2,"manifests":[%s]}\n' "$(paste -sd, "$layout/refs.jsonl")" > "$layout/index.json"
    printf '%s %s %s %s %s\n' "$1" "$2" "$3" "$4" "$5" >> "$layout/refs.txt"
}

# lookup REF: prints "MEDIATYPE DIGEST SIZE ARCH" of a recorded REF.
lookup() {
    line=$(grep "^$1 " "$layout/refs.txt" | tail -n 1)
    [ -n "$line" ] || { echo "oci_layout.sh: no ref $1 in $layout" >&2; exit 1; }
    echo "$line" | cut -d' ' -f2-
}

command=$1
layout=$2
ref=$3
shift 3
mkdir -p "$layout/blobs/sha256"
[ -f "$layout/oci-layout" ] || printf '{"imageLayoutVersion":"1.0.0"}\n' > "$layout/oci-layout"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

case $command in
image)
    text=$1
    arch=${2:-amd64}
    created=${3:-}
    mkdir "$work/root"
    printf '%s\n' "$text" > "$work/root/content.txt"
    tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work/root" -cf "$work/layer.tar" .
    diff_id="sha256:$(sha256sum "$work/layer.tar" | cut -d' ' -f1)"
    gzip -n -c "$work/layer.tar" > "$work/layer.tar.gz"
    set -- $(add_blob "$work/layer.tar.gz")
    layer_digest=$1 layer_size=$2
    created_field=""
    [ -z "$created" ] || created_field=$(printf '"created":"%s",' "$created")
    printf '{%s"architecture":"%s","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["%s"]}}' \
        "$created_field" "$arch" "$diff_id" > "$work/config.json"
    set -- $(add_blob "$work/config.json")
    config_digest=$1 config_size=$2
    printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":%s}]}' \
        "$config_digest" "$config_size" "$layer_digest" "$layer_size" > "$work/manifest.json"
    printf '%s %s %s %s %s\n' "$ref" "$config_digest" "$config_size" "$layer_digest" "$layer_size" >> "$layout/blobs.txt"
    set -- $(add_blob "$work/manifest.json")
    record "$ref" application/vnd.oci.image.manifest.v1+json "$1" "$2" "$arch"
    ;;
index)
    entries=""
    for member in "$@"; do
        set -- $(lookup "$member")
        entry=$(printf '{"mediaType":"%s","digest":"%s","size":%s,"platform":{"architecture":"%s","os":"linux"}}' \
            "$1" "$2" "$3" "$4")
        entries="${entries:+$entries,}$entry"
    done
    printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s]}' \
        "$entries" > "$work/index.json"
    set -- $(add_blob "$work/index.json")
    record "$ref" application/vnd.oci.image.index.v1+json "$1" "$2" multi
    ;;
*)
    echo "oci_layout.sh: unknown command $command" >&2
    exit 2
    ;;
esac
