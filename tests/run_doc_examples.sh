#!/bin/sh
# Runs the `sqlite>` examples of a Markdown file through the real sqlite3 shell and compares
# each statement's output with the lines written under it.
#
#   run_doc_examples.sh SQLITE3 EXTENSION FILE.md
#
# Each fenced block that holds `sqlite>` lines runs in its own shell session, in the current
# directory. A block that starts with `$ sqlite3 ARGS` runs exactly that (no extension unless it
# says `.load`); any other block runs in a fresh in-memory database with the extension loaded. A
# documented `.load ./build/rsp` is pointed at EXTENSION (the build directory may differ).
set -u
sqlite3=$1 extension=$2 file=$3
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT

# Split the file into blocks: block N gets N.sql (statements, each followed by a marker that
# the shell prints) and N.expected (documented output, each followed by the same marker).
awk -v dir="$work" -v ext="$extension" '
    /^```/ { if (in_block) { if (has) close_block(); in_block = 0 } else { in_block = 1; has = 0; n++ } next }
    !in_block { next }
    /^\$ sqlite3/ && !has { args[n] = substr($0, 10); explicit[n] = 1; next }
    /^sqlite> / {
        if (has) { print ".print ~~~" > sql; print "~~~" > out }
        else {
            sql = dir "/" n ".sql"; out = dir "/" n ".expected"
            print (n in explicit ? "" : ".load " ext) > sql
            print (n in explicit ? args[n] : ":memory:") > (dir "/" n ".args")
        }
        has = 1
        line = substr($0, 9)
        sub(/^\.load \.\/build\/rsp$/, ".load " ext, line)
        print line > sql
        next
    }
    /^   \.\.\.> / { print substr($0, 9) > sql; next }
    { if (has) print > out }
    function close_block() { print ".print ~~~" > sql; print "~~~" > out; close(sql); close(out) }
' "$file"

status=0 blocks=0
for sql in "$work"/*.sql; do
    [ -e "$sql" ] || continue
    blocks=$((blocks + 1))
    expected=${sql%.sql}.expected
    touch "$expected"
    # shellcheck disable=SC2046
    "$sqlite3" -batch $(cat "${sql%.sql}.args") < "$sql" > "${sql%.sql}.actual" 2>&1
    if ! diff -u "$expected" "${sql%.sql}.actual" > "${sql%.sql}.diff"; then
        echo "FAIL: an example in $file prints something else:"
        cat "${sql%.sql}.diff"
        status=1
    fi
done
if [ "$blocks" -eq 0 ]; then
    echo "FAIL: no sqlite> examples in $file"
    exit 1
fi
[ "$status" -eq 0 ] && echo "$blocks example blocks of $file print what they document"
exit "$status"
