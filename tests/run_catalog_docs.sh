#!/bin/sh
# Builds a catalog from the shared history file with rspcat, then runs a doc's examples against
# it through the stock sqlite3 shell, from a folder laid out as the docs assume: the catalog is
# ./rspcat.db, the extension ./build/rsp, the shared data ../shared. (`$ sqlite3 rspcat.db`
# blocks load no extension unless they say `.load`.)
#
#   run_catalog_docs.sh RSPCAT SQLITE3 EXTENSION SHARED_DIR DOC.md
set -eu
rspcat=$1 sqlite3=$2 extension=$3 shared=$4 doc=$5
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/main/build"
ln -s "$(cd "$shared" && pwd)" "$work/shared"
ln -s "$extension" "$work/main/build/rsp.so"
"$rspcat" --db "$work/main/rspcat.db" ingest --registry docker.io --repository lsstsqre/sciplat-lab \
    --alias recommended --alias latest_weekly --alias latest_daily --alias latest_release \
    "$shared/data/sciplat-lab-history.tsv" > /dev/null
cd "$work/main"
sh "$here/run_doc_examples.sh" "$sqlite3" "$extension" "$doc"
