-- The benchmark table, from what bench/run measured. Run by bench/run in its work folder:
--   samples.tsv   name, wall_s, cpu_s, rss_kb, timed_out_s: one line per run of a command
--   gbench-*.json Google Benchmark's JSON output of rspcat_bench, one file per invocation
-- Every figure is the median of its repetitions; a ratio divides two medians of the same run.
-- Times are CPU time (user + system) unless the figure says wall, because the machines are
-- shared: CPU time moves far less than wall time when other jobs compete for the cores.

CREATE TABLE samples (name TEXT, wall_s REAL, cpu_s REAL, rss_kb INTEGER, timed_out_s REAL);
CREATE TEMP TABLE lines (name TEXT, wall_s TEXT, cpu_s TEXT, rss_kb TEXT, timed_out_s TEXT);
.mode tabs
.import samples.tsv lines
INSERT INTO samples
SELECT name, CAST(nullif(wall_s, '') AS REAL), CAST(nullif(cpu_s, '') AS REAL),
       CAST(nullif(rss_kb, '') AS INTEGER), CAST(nullif(timed_out_s, '') AS REAL)
FROM lines;

-- Google Benchmark: one row per repetition. `per_tag` is seconds per tag (an inverted rate).
INSERT INTO samples
WITH u (unit, seconds) AS (VALUES ('ns', 1e-9), ('us', 1e-6), ('ms', 1e-3), ('s', 1.0))
SELECT replace(b.value ->> 'run_name', '/repeats:' || (b.value ->> 'repetitions'), ''),
       (b.value ->> 'real_time') * u.seconds, (b.value ->> 'cpu_time') * u.seconds, NULL, NULL
FROM fsdir('.') f, json_each(f.data, '$.benchmarks') b
JOIN u ON u.unit = b.value ->> 'time_unit'
WHERE f.name LIKE './gbench-%.json' AND b.value ->> 'run_type' = 'iteration';
INSERT INTO samples
SELECT replace(b.value ->> 'run_name', '/repeats:' || (b.value ->> 'repetitions'), '') || '#per_tag',
       NULL, b.value ->> 'per_tag', NULL, NULL
FROM fsdir('.') f, json_each(f.data, '$.benchmarks') b
WHERE f.name LIKE './gbench-%.json' AND b.value ->> 'run_type' = 'iteration'
  AND b.value ->> 'per_tag' IS NOT NULL;

-- Medians per name and metric; `timed_out_s` when a run was stopped at that limit instead.
CREATE TABLE medians AS
WITH long AS (
    SELECT name, 'cpu' AS metric, cpu_s AS v FROM samples WHERE cpu_s IS NOT NULL AND timed_out_s IS NULL
    UNION ALL SELECT name, 'wall', wall_s FROM samples WHERE wall_s IS NOT NULL AND timed_out_s IS NULL
    UNION ALL SELECT name, 'rss', rss_kb * 1024.0 FROM samples WHERE rss_kb IS NOT NULL AND timed_out_s IS NULL
), ranked AS (
    SELECT *, row_number() OVER w AS i, count(*) OVER (PARTITION BY name, metric) AS n
    FROM long WINDOW w AS (PARTITION BY name, metric ORDER BY v)
)
SELECT name, metric, avg(v) AS v, max(n) AS n FROM ranked WHERE i IN ((n + 1) / 2, (n + 2) / 2)
GROUP BY name, metric;
CREATE TABLE timeouts AS SELECT name, max(timed_out_s) AS limit_s FROM samples WHERE timed_out_s IS NOT NULL
GROUP BY name;

-- What the table shows. kind: 'value' (value <= target, in the unit), 'ratio' (value / baseline
-- <= target), 'report' (no target).
CREATE TABLE figures (ord INTEGER, figure TEXT, value_name TEXT, baseline_name TEXT, metric TEXT,
                      unit TEXT, kind TEXT, target REAL);
INSERT INTO figures VALUES
 (1, 'tag parse, vector corpus (3,192 tags)', 'parse/vectors#per_tag', NULL, 'cpu', 'ns/tag', 'value', 100),
 (2, 'tag parse, history tags (1,768 tags)', 'parse/history#per_tag', NULL, 'cpu', 'ns/tag', 'value', 100),
 (3, 'count(rsp_tag_type(tag)), 1M rows; baseline count(length(tag))',
     'sql/count_rsp_tag_type', 'sql/count_length', 'cpu', 'ms', 'ratio', 3),
 (4, 'count(rsp_parse_tag(tag)), 1M rows; baseline count(json_object(…)), same keys',
     'sql/count_rsp_parse_tag', 'sql/count_json_object', 'cpu', 'ms', 'ratio', 1),
 (5, 'ORDER BY tag COLLATE rsp_tag, 1M rows; baseline ORDER BY tag',
     'sql/order_by_rsp_tag', 'sql/order_by_tag', 'cpu', 'ms', 'ratio', 4),
 (6, 'ORDER BY rsp_tag_sort_key(tag), 1M rows; baseline ORDER BY tag',
     'sql/order_by_rsp_tag_sort_key', 'sql/order_by_tag', 'cpu', 'ms', 'ratio', 1.5),
 (7, 'rspcat ingest, 100k-tag snapshot, fresh catalog; baseline sqlite3 .import',
     'ingest/first/100000', 'import/100000', 'cpu', 's', 'ratio', 4),
 (8, 're-ingest of the same 100k snapshot; baseline the first ingest',
     'ingest/again/100000', 'ingest/first/100000', 'cpu', 's', 'ratio', 0.3),
 (9, 'rspcat ingest, 62-snapshot history file', 'ingest/history', NULL, 'cpu', 's', 'report', NULL),
 (10, 'Catalog::images, 100k images, menu order', 'catalog/images/100000', NULL, 'cpu', 'ms', 'value', 50),
 (11, 'Catalog::images, 100k images, hide aliased', 'catalog/hide_aliased/100000', NULL, 'cpu', 'ms', 'value', 50),
 (12, 'Catalog::filter, 100k images, idfprod policy', 'catalog/filter/100000', NULL, 'cpu', 'ms', 'value', 50),
 (13, 'Catalog::images at the first snapshot (--at), 100k images', 'catalog/images_at/100000', NULL, 'cpu',
      'ms', 'value', 50),
 (14, 'rspcat images, 100k images (wall)', 'cli/images/100000', NULL, 'wall', 'ms', 'report', NULL),
 (15, 'rspcat images --hide-aliased, 100k images (wall)', 'cli/hide_aliased/100000', NULL, 'wall', 'ms',
      'report', NULL),
 (16, 'rspcat filter --policy idfprod.json, 100k images (wall)', 'cli/filter/100000', NULL, 'wall', 'ms',
      'report', NULL),
 (17, 'rspcat images --at, 100k images (wall)', 'cli/images_at/100000', NULL, 'wall', 'ms', 'report', NULL),
 (18, 'peak RSS, rspcat ingest of 1M rows', 'ingest/first/1000000', NULL, 'rss', 'MB', 'value', 200),
 (19, 'bound: the rows of Catalog::images, 100k images, read by SQLite alone (no Image made)',
      'catalog/images_rows_only/100000', NULL, 'cpu', 'ms', 'report', NULL),
 (20, 'rspcat images, 100k images; baseline sqlite3 selecting its rows from listing', 'cli/images/100000',
      'sqlite3/listing/100000', 'cpu', 'ms', 'ratio', 1.5),
 (21, 'rspcat images --hide-aliased, 100k images; same baseline', 'cli/hide_aliased/100000',
      'sqlite3/listing/100000', 'cpu', 'ms', 'ratio', 1.5),
 (22, 'rspcat filter --policy idfprod.json, 100k images; same baseline', 'cli/filter/100000',
      'sqlite3/listing/100000', 'cpu', 'ms', 'ratio', 1.5),
 (23, 'rspcat menu, 100k images; same baseline', 'cli/menu/100000', 'sqlite3/listing/100000', 'cpu', 'ms',
      'ratio', 1.5),
 (24, 'rspcat images, 100k images', 'cli/images/100000', NULL, 'cpu', 'ms', 'value', 50),
 (25, 'rspcat images --hide-aliased, 100k images', 'cli/hide_aliased/100000', NULL, 'cpu', 'ms', 'value', 50),
 (26, 'rspcat filter --policy idfprod.json, 100k images', 'cli/filter/100000', NULL, 'cpu', 'ms', 'value', 50),
 (27, 'rspcat menu, 100k images', 'cli/menu/100000', NULL, 'cpu', 'ms', 'value', 50),
 (28, 'peak RSS, rspcat images --format json, 1M images', 'cli/json/1000000', NULL, 'rss', 'MB', 'value', 200),
 (29, 'peak RSS, rspcat images --format csv, 1M images', 'cli/csv/1000000', NULL, 'rss', 'MB', 'value', 200),
 (30, 'peak RSS, rspcat images (table), 1M images', 'cli/table/1000000', NULL, 'rss', 'MB', 'value', 200),
 (31, 'peak RSS, rspcat filter (table), 1M images', 'cli/filter/1000000', NULL, 'rss', 'MB', 'value', 200);

-- Scaling: each size against the size ten times smaller; the target is n log n growth.
INSERT INTO figures
WITH q (i, label, prefix, unit) AS (
    VALUES (1, 'rspcat ingest', 'ingest/first/', 's'), (2, 'Catalog::images', 'catalog/images/', 'ms'),
           (3, 'hide aliased', 'catalog/hide_aliased/', 'ms'), (4, 'Catalog::filter', 'catalog/filter/', 'ms'),
           (5, 'images --at', 'catalog/images_at/', 'ms')),
s (i, small, large, small_label, large_label) AS (
    VALUES (1, 1000, 10000, '1k', '10k'), (2, 10000, 100000, '10k', '100k'), (3, 100000, 1000000, '100k', '1M'))
SELECT 100 + 10 * q.i + s.i,
       'scaling: ' || q.label || ', ' || s.small_label || ' → ' || s.large_label,
       q.prefix || s.large, q.prefix || s.small, 'cpu', q.unit, 'ratio',
       round(10.0 * ln(s.large) / ln(s.small), 1)
FROM q, s;

CREATE TABLE scale (unit TEXT PRIMARY KEY, factor REAL);
INSERT INTO scale VALUES ('ns/tag', 1e9), ('ms', 1e3), ('s', 1), ('MB', 1.0 / (1024 * 1024));

-- A measurement as text: the median in the figure's unit, or the time limit it hit.
CREATE VIEW shown AS
SELECT f.*, v.v AS value, b.v AS baseline, tv.limit_s AS value_limit, tb.limit_s AS baseline_limit,
       s.factor
FROM figures f
JOIN scale s ON s.unit = f.unit
LEFT JOIN medians v ON v.name = f.value_name AND v.metric = f.metric
LEFT JOIN medians b ON b.name = f.baseline_name AND b.metric = f.metric
LEFT JOIN timeouts tv ON tv.name = f.value_name
LEFT JOIN timeouts tb ON tb.name = f.baseline_name;

.mode markdown --wrap 0
SELECT figure,
       CASE WHEN value IS NOT NULL THEN printf('%.4g %s', value * factor, unit)
            WHEN value_limit IS NOT NULL THEN printf('> %g s (stopped)', value_limit)
            ELSE 'not measured' END AS value,
       CASE WHEN baseline_name IS NULL THEN '—'
            WHEN baseline IS NOT NULL THEN printf('%.4g %s', baseline * factor, unit)
            WHEN baseline_limit IS NOT NULL THEN printf('> %g s (stopped)', baseline_limit)
            ELSE 'not measured' END AS baseline,
       CASE WHEN value IS NULL OR baseline IS NULL THEN '—'
            WHEN ord > 100 THEN printf('%.3g× (n^%.2f)', value / baseline, log10(value / baseline))
            ELSE printf('%.3g×', value / baseline) END AS ratio,
       CASE kind WHEN 'value' THEN printf('≤ %g %s', target, unit)
                 WHEN 'ratio' THEN printf('≤ %g×', target)
                 ELSE 'report' END AS target,
       CASE WHEN kind = 'report' THEN '—'
            WHEN kind = 'value' AND value IS NOT NULL THEN iif(value * factor <= target, 'yes', 'NO')
            WHEN kind = 'value' AND value_limit IS NOT NULL THEN 'NO'
            WHEN kind = 'ratio' AND value IS NOT NULL AND baseline IS NOT NULL
                THEN iif(value / baseline <= target, 'yes', 'NO')
            WHEN kind = 'ratio' AND value_limit IS NOT NULL AND baseline IS NOT NULL THEN 'NO'
            ELSE '—' END AS "met?"
FROM shown ORDER BY ord;
