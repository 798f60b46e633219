#!/bin/sh
# The man page renders without warnings from groff (-ww: all of them), and writes every option
# dash as \- (a bare - renders as a hyphen, which cannot be pasted as a minus sign).
#
#   check_manpage.sh MANPAGE
set -u
manpage=$1
warnings=$(groff -man -ww -z -Tutf8 "$manpage" 2>&1) || { echo "FAIL: groff: $warnings"; exit 1; }
if [ -n "$warnings" ]; then
    echo "FAIL: groff warns about $manpage:"
    echo "$warnings"
    exit 1
fi
# An option written with bare dashes outside comments: `--db` or ` -h` where `\-\-db` belongs.
bare=$(grep -v '^\.\\"' "$manpage" | grep -nE '(^|[^\\a-zA-Z0-9])-[-a-zA-Z]')
if [ -n "$bare" ]; then
    echo "FAIL: options written with bare dashes in $manpage (write \\-):"
    echo "$bare"
    exit 1
fi
echo "$manpage: renders without warnings"
