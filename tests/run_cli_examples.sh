#!/bin/sh
# Runs the `console` examples of a Markdown file with the real rspcat and compares what each
# block prints (standard output and standard error, in order) with the lines written in it.
#
#   run_cli_examples.sh RSPCAT DATA_DIR FILE.md
#
# In a block fenced as ```console, a line `$ COMMAND` is run by /bin/sh and the lines up to the
# next `$ ` are what it prints; `[exit N]` on a line of its own says the command before it exits
# with status N (otherwise it must exit 0). Each block runs in a fresh directory that holds
# data/ (a copy of DATA_DIR) and rspcat.db, the sample history ingested, so an example starts
# from the catalog the README's first session makes. `rspcat` is the binary under test.
set -u
rspcat=$1 data=$2 file=$3
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT

mkdir "$work/bin" "$work/base"
ln -s "$rspcat" "$work/bin/rspcat"
cp -R "$data" "$work/base/data"
if ! (cd "$work/base" && "$rspcat" ingest --registry docker.io --repository lsstsqre/sciplat-lab \
        data/sciplat-lab-history.tsv > /dev/null 2>&1); then
    echo "FAIL: cannot make the sample catalog from $data"
    exit 1
fi

# Block N gets N.sh (each command, then a line that prints a marker and its exit status) and
# N.expected (the documented output, each command's followed by the same marker).
awk -v dir="$work" '
    /^```console$/ { in_block = 1; n++; has = 0; script = dir "/" n ".sh"; out = dir "/" n ".expected"; next }
    /^```/ && in_block { if (has) finish(); in_block = 0; close(script); close(out); next }
    !in_block { next }
    /^\$ / {
        if (has) finish()
        has = 1; code = 0
        print substr($0, 3) > script
        next
    }
    /^\[exit [0-9]+\]$/ { code = substr($0, 7, length($0) - 7); next }
    { if (has) print > out }
    function finish() { print "echo \"~~~ exit $?\"" > script; print "~~~ exit " code > out }
' "$file"

status=0 blocks=0
for script in "$work"/*.sh; do
    [ -e "$script" ] || continue
    blocks=$((blocks + 1))
    block=${script%.sh}
    rm -rf "$work/run" && cp -R "$work/base" "$work/run"
    (cd "$work/run" && unset RSPCAT_DB && PATH="$work/bin:$PATH" sh "$script") > "$block.actual" 2>&1
    if ! diff -u "$block.expected" "$block.actual" > "$block.diff"; then
        echo "FAIL: an example in $file prints something else (block $blocks):"
        cat "$block.diff"
        status=1
    fi
done
if [ "$blocks" -eq 0 ]; then
    echo "FAIL: no console examples in $file"
    exit 1
fi
[ "$status" -eq 0 ] && echo "$blocks console example blocks of $file print what they document"
exit "$status"
