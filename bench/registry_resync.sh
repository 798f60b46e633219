#!/bin/sh
# What `rspcat sync` costs against a real registry (Debian's docker-registry on 127.0.0.1): a
# repository of TAGS tags (default 5000) on IMAGES distinct images (default 50), synced once
# into a new catalog and then again with nothing changed. Prints, for each sync, the requests
# the registry logged by kind, the wall time and rspcat's peak memory.
#
# Usage (as root on Debian 12, after scripts/install-deps.sh): bench/registry_resync.sh [RSPCAT [TAGS [IMAGES]]]
# RSPCAT defaults to build/rspcat. Tags are made with one manifest PUT each (curl), images with
# tests/registry/oci_layout.sh and skopeo; making 5000 tags takes a minute or two.
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
rspcat=$(realpath "${1:-build/rspcat}")
tags=${2:-5000}
images=${3:-50}
work=$(mktemp -d)
pid=""
cleanup() {
    [ -z "$pid" ] || kill "$pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

port=$(shuf -i 20000-60000 -n 1)
cat > "$work/config.yml" <<EOF
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $work/storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: bench-only
EOF
env -i PATH=/usr/bin:/bin docker-registry serve "$work/config.yml" > "$work/registry.log" 2>&1 &
pid=$!
registry=127.0.0.1:$port
for _ in $(seq 100); do curl -sf "http://$registry/v2/" > /dev/null && break; sleep 0.1; done

echo "making $images images and $tags tags in $registry/bench" >&2
i=0
while [ "$i" -lt "$images" ]; do
    sh tests/registry/oci_layout.sh image "$work/layout" "image$i" "contents of image $i" amd64 "2026-01-01T00:00:00Z" > /dev/null
    skopeo copy -q --dest-tls-verify=false "oci:$work/layout:image$i" "docker://$registry/bench:image$i"
    curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
        "http://$registry/v2/bench/manifests/image$i" > "$work/manifest$i.json"
    i=$((i + 1))
done
i=0
while [ "$i" -lt "$tags" ]; do
    curl -sf -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
        --data-binary "@$work/manifest$((i % images)).json" "http://$registry/v2/bench/manifests/w_$i" > /dev/null
    i=$((i + 1))
done

# sync NAME: one sync into the bench catalog, with its requests counted from the access log.
sync_once() {
    before=$(wc -l < "$work/registry.log")
    start=$(date +%s.%N)
    /usr/bin/time -f '%M' -o "$work/rss" "$rspcat" --db "$work/bench.db" sync --url "http://$registry" \
        --repository bench --max-removed 100% -q
    end=$(date +%s.%N)
    tail -n +"$((before + 1))" "$work/registry.log" > "$work/requests"
    count() { grep -c "\"$1 /v2/bench/$2" "$work/requests" || true; }
    printf '%s: %s s, peak RSS %s KB; requests: %s tag-list GET, %s manifest HEAD, %s manifest GET, %s blob GET\n' \
        "$1" "$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')" "$(cat "$work/rss")" "$(count GET tags/list)" "$(count HEAD manifests/)" \
        "$(count GET manifests/)" "$(count GET blobs/)"
}
sync_once "first sync ($((tags + images)) tags, $images images)"
sync_once "re-sync, nothing changed"
