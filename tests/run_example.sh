#!/bin/sh
# Runs an example program and compares what it prints with the ```output NAME block of a doc,
# NAME being the program's file name.
#
#   run_example.sh PROGRAM DOC.md
set -u
program=$1 doc=$2
name=$(basename "$program")
expected=$(awk -v name="$name" '
    $0 == "```output " name { inside = 1; found = 1; next }
    inside && /^```/ { inside = 0; next }
    inside { print }
    END { if (!found) exit 1 }' "$doc") || { echo "FAIL: no \`\`\`output $name block in $doc"; exit 1; }
actual=$("$program") || { echo "FAIL: $program exited with $?"; exit 1; }
if [ "$actual" != "$expected" ]; then
    echo "FAIL: $name prints something other than $doc says:"
    printf '%s\n' "--- documented" "$expected" "--- printed" "$actual"
    exit 1
fi
echo "$name prints what $doc documents"
