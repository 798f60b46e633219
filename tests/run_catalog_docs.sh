#!/bin/sh
# Builds a catalog from the sample history file with rspcat, then runs a doc's examples against
# it through the stock sqlite3 shell, from a folder laid out as the repository root the docs
# assume: the catalog is ./rspcat.db, the extension ./build/rsp, the sample data ./data.
# (`$ sqlite3 rspcat.db` blocks load no extension unless they say `.load`.)
#
#   run_catalog_docs.sh RSPCAT SQLITE3 EXTENSION DATA_DIR DOC.md
set -eu
rspcat=$1 sqlite3=$2 extension=$3 data=$4 doc=$5
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/build"
ln -s "$(cd "$data" && pwd)" "$work/data"
ln -s "$extension" "$work/build/rsp.so"
"$rspcat" --db "$work/rspcat.db" ingest --registry docker.io --repository lsstsqre/sciplat-lab \
    --alias recommended --alias latest_weekly --alias latest_daily --alias latest_release \
    -q "$work/data/sciplat-lab-history.tsv"
cd "$work"
sh "$here/run_doc_examples.sh" "$sqlite3" "$extension" "$doc"
