#!/bin/sh
# `rspcat report` in a real browser: headless Chromium renders the report of the sample history
# to a DOM dump and a screenshot, and a report of a catalog with hostile names to a DOM dump.
#
#   run_report_browser.sh RSPCAT DATA_DIR SQLITE3 [CHROMIUM]
#
# Checks: two runs give the same bytes; the page logs nothing to the console (no error, no
# Content-Security-Policy refusal); one band per `recommended` assignment, labelled as
# `rspcat history recommended --format json` says; one series per image type; each policy's
# numbers equal `rspcat prune --format json`'s; the screenshot has the window's size and is not
# blank; hostile names show as text and run nothing. Fails, not skips, without Chromium
# (scripts/install-deps.sh installs it). The DOM is read with python3's html.parser.
set -u
rspcat=$1 data=$2 sqlite3=$3 chromium=${4:-chromium}
work=$(mktemp -d) || exit 1
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
command -v "$chromium" > /dev/null || { echo "FAIL: no $chromium (scripts/install-deps.sh installs it)"; exit 1; }

# Headless Chromium with its own profile, logging the page's console to standard error.
browse() {
    "$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$work/profile" \
        --enable-logging=stderr --v=0 "$@"
}
# What the browser logged about the page: console messages, uncaught errors, CSP refusals.
page_messages() {
    grep -E 'CONSOLE|Uncaught|Content Security Policy|Refused to' "$1"
}

db=$work/sample.db
"$rspcat" --db "$db" ingest --registry docker.io --repository lsstsqre/sciplat-lab \
    --alias recommended --alias latest_weekly --alias latest_daily --alias latest_release \
    "$data/sciplat-lab-history.tsv" > /dev/null 2>&1 || { echo "FAIL: cannot make the sample catalog"; exit 1; }
policies="--policy $data/policies/idfprod.yaml --policy $data/policies/idfdev.yaml"
# shellcheck disable=SC2086
"$rspcat" --db "$db" report $policies -o "$work/report.html" || fail "report -o exited $?"
# shellcheck disable=SC2086
"$rspcat" --db "$db" report $policies > "$work/again.html" || fail "report to standard output exited $?"
cmp -s "$work/report.html" "$work/again.html" || fail "two runs of report differ"
for left in "$work"/.report.html.*; do
    [ -e "$left" ] && fail "report -o left its temporary file $left behind"
done
"$rspcat" --db "$db" report -o "$work/missing/report.html" 2> /dev/null
[ $? -eq 1 ] || fail "report -o into a missing directory did not exit 1"
"$rspcat" --db "$db" report --policy "$work/no-such-policy.yaml" > "$work/none.html" 2> /dev/null
[ $? -eq 1 ] || fail "report with a missing policy file did not exit 1"
[ -s "$work/none.html" ] && fail "report with a missing policy file wrote a page"
size=$(wc -c < "$work/report.html")
[ "$size" -lt 5000000 ] || fail "the sample report is $size bytes, over 5 MB"

# The time the page is about: the last snapshot, as prune must be asked for the same plan.
last=$("$rspcat" --db "$db" snapshots --limit 1 --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["taken_at"])')
"$rspcat" --db "$db" history recommended --format json > "$work/recommended.json" || fail "history failed"
for p in idfprod idfdev; do
    "$rspcat" --db "$db" prune --policy "$data/policies/$p.yaml" --at "$last" --format json > "$work/$p.json" 2> /dev/null ||
        fail "prune $p failed"
done

browse --dump-dom "file://$work/report.html" > "$work/dom.html" 2> "$work/dom.log" || fail "chromium --dump-dom exited $?"
page_messages "$work/dom.log" && fail "the page logged the messages above"
browse --screenshot="$work/shot.png" --window-size=1000,1400 "file://$work/report.html" > /dev/null 2> "$work/shot.log" ||
    fail "chromium --screenshot exited $?"
page_messages "$work/shot.log" && fail "the page logged the messages above (screenshot)"
file "$work/shot.png" | grep -q 'PNG image data, 1000 x 1400' || fail "screenshot: $(file "$work/shot.png")"

python3 - "$work" "$data" "$last" << 'PY' || failures=$((failures + 1))
import json, sys, zlib
from html.parser import HTMLParser

work, data, last = sys.argv[1:4]

class Dom(HTMLParser):
    """Elements as (tag, attributes, lane) with the lane they sit in, and the page's text."""
    def __init__(self):
        super().__init__()
        self.elements, self.text, self.lane = [], [], None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "g" and "data-lane" in a:
            self.lane = a["data-lane"]
        self.elements.append((tag, a, self.lane))
    def handle_data(self, text):
        self.text.append(text)

def parse(path):
    dom = Dom()
    with open(path, encoding="utf-8") as f:
        dom.feed(f.read())
    return dom

problems = []
dom = parse(f"{work}/dom.html")

# One band per recommended assignment, in order, labelled with what it resolved to.
history = json.load(open(f"{work}/recommended.json"))
bands = [a["data-label"] for tag, a, lane in dom.elements if tag == "rect" and "band" in a.get("class", "") and lane == "recommended"]
expected = [e["resolved_to"] or e["digest"][:19] for e in history if e["from"] <= last]
if bands != expected:
    problems.append(f"recommended bands {bands} != history {expected}")

series = sorted(a["data-series"] for tag, a, _ in dom.elements if tag == "polyline" and "data-series" in a)
types = sorted(["Release", "Weekly", "Daily", "Release Candidate", "Experimental", "Other", "Bytes"])
if series != types:
    problems.append(f"series {series} != {types}")

for name in ("idfprod", "idfdev"):
    plan = json.load(open(f"{work}/{name}.json"))
    sections = [a for tag, a, _ in dom.elements if tag == "section" and a.get("data-policy", "").endswith(f"/{name}.yaml")]
    if len(sections) != 1:
        problems.append(f"{len(sections)} sections for policy {name}")
        continue
    got = (int(sections[0]["data-delete-digests"]), int(sections[0]["data-delete-bytes"]), int(sections[0]["data-protected"]))
    want = (len(plan["delete"]), plan["bytes"], len(plan["protected"]))
    if got != want:
        problems.append(f"policy {name}: page says (digests, bytes, protected) {got}, prune {want}")

# Not blank: the decompressed scanlines of a single-colour picture hold a handful of byte values.
png = open(f"{work}/shot.png", "rb").read()
pos, idat = 8, b""
while pos < len(png):
    length = int.from_bytes(png[pos:pos + 4], "big")
    if png[pos + 4:pos + 8] == b"IDAT":
        idat += png[pos + 8:pos + 8 + length]
    pos += 12 + length
if len(set(zlib.decompress(idat))) < 32:
    problems.append("the screenshot looks blank")

for p in problems:
    print("FAIL:", p)
sys.exit(1 if problems else 0)
PY

# Hostile names: a listing file whose name is markup (it becomes the snapshot's source), and a
# tag rewritten behind rspcat's back into a script, quotes and a very long name.
hostile=$work/hostile.db
# shellcheck disable=SC2016 # the backquotes are markup for the page, not for the shell
mark='<img src=x onerror="document.body.setAttribute(`data-pwned`,1)">'
printf 'w_2021_22\tsha256:%s\t100\nw_2021_23\tsha256:%s\t200\nrecommended\tsha256:%s\n' \
    "$(printf '1%.0s' $(seq 64))" "$(printf '2%.0s' $(seq 64))" "$(printf '2%.0s' $(seq 64))" > "$work/$mark.tsv"
"$rspcat" --db "$hostile" ingest --registry example.org --repository lab --alias recommended \
    --at 2021-06-01T00:00:00Z "$work/$mark.tsv" > /dev/null 2>&1 || fail "cannot make the hostile catalog"
script='<script>document.body.setAttribute("data-pwned","2")</script>'"'\"$(printf 'x%.0s' $(seq 2000))"
"$sqlite3" "$hostile" "UPDATE tags SET tag = '$(echo "$script" | sed "s/'/''/g")', display_name = tag || ' <b>bold</b>' WHERE tag = 'w_2021_22'; UPDATE listing SET tag = (SELECT tag FROM tags WHERE display_name LIKE '%<b>bold</b>') WHERE tag = 'w_2021_22';" ||
    fail "cannot edit the hostile catalog"
"$rspcat" --db "$hostile" report --recommended recommended -o "$work/hostile.html" || fail "hostile report exited $?"
browse --dump-dom "file://$work/hostile.html" > "$work/hostile-dom.html" 2> "$work/hostile.log" ||
    fail "chromium --dump-dom (hostile) exited $?"
page_messages "$work/hostile.log" && fail "the hostile page logged the messages above"
python3 - "$work/hostile-dom.html" << 'PY' || failures=$((failures + 1))
import sys
from html.parser import HTMLParser

class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs, self.text = [], [], ""
    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [name for name, _ in attrs]
    def handle_data(self, text):
        self.text += text

dom = Dom()
dom.feed(open(sys.argv[1], encoding="utf-8").read())
problems = []
for tag in ("script", "img", "b"):
    if tag in dom.tags:
        problems.append(f"the page has a <{tag}> element: a name was not escaped")
if "data-pwned" in dom.attrs or "onerror" in dom.attrs:
    problems.append("an injected attribute is in the DOM")
for text in ('<script>document.body.setAttribute("data-pwned","2")</script>\'"xxxx', "<b>bold</b>", 'onerror="document.body'):
    if text not in dom.text:
        problems.append(f"the text {text!r} is not shown as text")
for p in problems:
    print("FAIL:", p)
sys.exit(1 if problems else 0)
PY

[ "$failures" -eq 0 ] || exit 1
echo "report-browser: ok"
