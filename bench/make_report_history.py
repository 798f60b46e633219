#!/usr/bin/env python3
# A history file (rspcat ingest's snapshot_at/tag/digest/size TSV) of N hourly snapshots
# (default 20,000: about 2.3 years), to time `rspcat report` on a catalog with many snapshots
# (bench/report.sh). Each snapshot lists the last 30 dailies, the last 100 weeklies, every
# release, and recommended, latest_daily and latest_weekly on the newest of their kind.
import datetime as dt, sys
n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
ids = {}
def dg(tag):
    ids.setdefault(tag, len(ids) + 1)
    return "sha256:%056d%08x" % (0, ids[tag])
start = dt.datetime(2024, 1, 1, 0, tzinfo=dt.timezone.utc)
daily, weekly, release = [], [], []
out = sys.stdout
out.write("snapshot_at\ttag\tdigest\tsize\n")
for h in range(n):
    t = start + dt.timedelta(hours=h)
    if h % 24 == 0: daily.append(t.strftime("d_%Y_%m_%d"))
    if h % (24 * 7) == 0: weekly.append("w_%04d_%02d" % (t.isocalendar()[0], t.isocalendar()[1]))
    if h % (24 * 7 * 26) == 0: release.append("r%02d_0_0" % (h // (24 * 7 * 26) + 30))
    at = t.strftime("%Y-%m-%dT%H:%M:%SZ")
    for tag in sorted(daily[-30:] + weekly[-100:] + release):
        out.write("%s\t%s\t%s\t%d\n" % (at, tag, dg(tag), 1000000000 + ids[tag]))
    for alias, tag in (("recommended", weekly[-1]), ("latest_daily", daily[-1]), ("latest_weekly", weekly[-1])):
        out.write("%s\t%s\t%s\n" % (at, alias, dg(tag)))
