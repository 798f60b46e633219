#!/usr/bin/env python3
# A history file (rspcat ingest's snapshot_at/tag/digest/size TSV) of ten years of weekly
# snapshots, to size a long-lived catalog (its undo journal, issue 14):
#   python3 bench/make_weekly_history.py > weekly.tsv
#   rspcat --db w.db ingest --registry docker.io --repository lsstsqre/sciplat-lab --alias recommended weekly.tsv
#   sqlite3 w.db "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"
# 520 weekly full listings, tags in lexical order (as a registry lists them): 7 dailies a week
# (the last 56 kept), a weekly a week (the last 400 kept), a release every 26 weeks (all kept),
# `recommended` on the latest weekly.
import datetime as dt, sys
ids = {}
def dg(tag):
    ids.setdefault(tag, len(ids) + 1)
    return "sha256:%056d%08x" % (0, ids[tag])
start = dt.datetime(2016, 1, 1, 12, tzinfo=dt.timezone.utc)
daily, weekly, release = [], [], []
out = sys.stdout
out.write("snapshot_at\ttag\tdigest\tsize\n")
for w in range(520):
    t = start + dt.timedelta(weeks=w)
    daily += [(t - dt.timedelta(days=6 - d)).strftime("d_%Y_%m_%d") for d in range(7)]
    weekly.append("w_%04d_%02d" % (2016 + w // 52, w % 52 + 1))
    if w % 26 == 0: release.append("r%02d_0_0" % (w // 26 + 20))
    cur = sorted(daily[-56:] + weekly[-400:] + release)
    at = t.strftime("%Y-%m-%dT%H:%M:%SZ")
    for tag in cur: out.write("%s\t%s\t%s\t%d\n" % (at, tag, dg(tag), 1000 + ids[tag]))
    out.write("%s\trecommended\t%s\n" % (at, dg(weekly[-1])))
