-- rspcat catalog schema, version 1.
--
-- Applied by the catalog when PRAGMA user_version is below 1. Readable by any SQLite client:
-- every parsed tag field is a plain column, and the views below (alias resolution, menu order)
-- use nothing but core SQL, so the stock sqlite3 shell can query a catalog without the rsp
-- extension. Times are ISO 8601 UTC text (`2025-06-05T12:00:00Z`), which sorts as time does.

-- A registry repository, e.g. docker.io / lsstsqre/sciplat-lab.
CREATE TABLE repositories (
    id          INTEGER PRIMARY KEY,
    registry    TEXT NOT NULL,
    repository  TEXT NOT NULL,
    last_batch  INTEGER NOT NULL DEFAULT 0,  -- ingest order counter (SPEC 3: batches)
    UNIQUE (registry, repository)
);

-- Tags the operator declared to be aliases (`recommended`, …): parsed with the alias parse.
CREATE TABLE alias_tags (
    repository_id  INTEGER NOT NULL REFERENCES repositories (id),
    tag            TEXT NOT NULL,
    PRIMARY KEY (repository_id, tag)
) WITHOUT ROWID;

-- One row per ingest: a full registry listing, or a merge of single rows.
CREATE TABLE snapshots (
    id             INTEGER PRIMARY KEY,
    repository_id  INTEGER NOT NULL REFERENCES repositories (id),
    taken_at       TEXT NOT NULL,       -- the listing's time
    ingested_at    TEXT NOT NULL,       -- when rspcat wrote it
    kind           TEXT NOT NULL CHECK (kind IN ('full', 'merge')),
    source         TEXT NOT NULL,       -- file name, or '-' for standard input
    tag_count      INTEGER NOT NULL,    -- rows in the listing
    added          INTEGER NOT NULL,    -- tags that appeared
    moved          INTEGER NOT NULL,    -- tags that now point to another digest
    removed        INTEGER NOT NULL     -- tags that disappeared
);
CREATE INDEX snapshots_by_time ON snapshots (repository_id, taken_at);

-- Every tag a repository has ever had, parsed once: the grammar parse (SPEC 1.2), or the alias
-- parse (1.3) for declared alias tags. Fields as in tag JSON (SPEC 5).
CREATE TABLE tags (
    id                  INTEGER PRIMARY KEY,
    repository_id       INTEGER NOT NULL REFERENCES repositories (id),
    tag                 TEXT NOT NULL,
    parse               TEXT NOT NULL CHECK (parse IN ('grammar', 'alias')),
    image_type          TEXT NOT NULL,
    type_priority       INTEGER NOT NULL,  -- 0 = Alias … 6 = Unknown (SPEC 1.1)
    display_name        TEXT NOT NULL,
    version             TEXT,              -- MAJOR.MINOR.PATCH[-PRERELEASE]
    version_major       INTEGER,
    version_minor       INTEGER,
    version_patch       INTEGER,
    version_prerelease  TEXT,
    prerelease_key      BLOB,              -- sorts as SemVer prerelease precedence
    base                TEXT,
    cycle               INTEGER,
    cycle_build         INTEGER,
    rsp_build           INTEGER,
    architecture        TEXT,
    extra               TEXT,
    date                TEXT,              -- YYYY-MM-DD HH:MM:SS
    alias_title         TEXT NOT NULL,     -- Title(base, or tag): the start of a resolved alias's name
    UNIQUE (repository_id, tag)
);

-- The current state: what each repository's latest listing (plus later merges) holds.
CREATE TABLE images (
    repository_id  INTEGER NOT NULL REFERENCES repositories (id),
    tag_id         INTEGER NOT NULL REFERENCES tags (id),
    digest         TEXT NOT NULL,
    size           INTEGER,
    batch          INTEGER NOT NULL,  -- later ingests have higher batches
    position       INTEGER NOT NULL,  -- listing order within the batch
    PRIMARY KEY (repository_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX images_by_digest ON images (digest, repository_id);

-- Each tag → digest assignment: when it started and, once it no longer holds, when it ended.
CREATE TABLE tag_history (
    id                 INTEGER PRIMARY KEY,
    repository_id      INTEGER NOT NULL REFERENCES repositories (id),
    tag_id             INTEGER NOT NULL REFERENCES tags (id),
    digest             TEXT NOT NULL,
    size               INTEGER,
    batch              INTEGER NOT NULL,  -- the image's batch and position when the assignment
    position           INTEGER NOT NULL,  -- started: what alias resolution uses for past listings
    started_snapshot   INTEGER NOT NULL REFERENCES snapshots (id),
    started_at         TEXT NOT NULL,
    ended_snapshot     INTEGER REFERENCES snapshots (id),
    ended_at           TEXT
);
CREATE UNIQUE INDEX tag_history_open ON tag_history (repository_id, tag_id) WHERE ended_at IS NULL;
CREATE INDEX tag_history_by_tag ON tag_history (tag_id, started_at);
CREATE INDEX tag_history_by_time ON tag_history (repository_id, started_at, ended_at);

-- Nodes an image was seen on (by digest, as registries and kubelets identify images).
CREATE TABLE node_presence (
    digest   TEXT NOT NULL,
    node     TEXT NOT NULL,
    size     INTEGER,
    seen_at  TEXT NOT NULL,
    PRIMARY KEY (digest, node)
) WITHOUT ROWID;

-- Current images with their parsed fields: the table most ad-hoc queries want.
CREATE VIEW current_images AS
SELECT r.registry, r.repository, i.repository_id, i.tag_id, t.tag, i.digest, i.size, i.batch,
       i.position, t.parse, t.image_type, t.type_priority, t.display_name, t.version,
       t.version_major, t.version_minor, t.version_patch, t.version_prerelease, t.prerelease_key,
       t.base, t.cycle, t.cycle_build, t.rsp_build, t.architecture, t.extra, t.date, t.alias_title,
       t.image_type IN ('Alias', 'Unknown') AS may_be_alias
FROM images i
JOIN tags t ON t.id = i.tag_id
JOIN repositories r ON r.id = i.repository_id;

-- SPEC 3 collections: each image belongs to its repository's full collection (scope_cycle NULL)
-- and, when it has a cycle as parsed, to the collection restricted to that cycle.
CREATE VIEW collection_members AS
SELECT NULL AS scope_cycle, * FROM current_images
UNION ALL
SELECT cycle AS scope_cycle, * FROM current_images WHERE cycle IS NOT NULL;

-- Per digest group of a collection: the primary (the first non-alias image of the latest batch)
-- and the earliest-ingested image.
CREATE VIEW digest_groups AS
SELECT m.*,
       first_value(CASE WHEN NOT may_be_alias THEN tag_id END) OVER by_primary AS primary_tag_id,
       first_value(tag_id) OVER by_ingest AS earliest_tag_id,
       max(may_be_alias) OVER (PARTITION BY repository_id, scope_cycle, digest) AS group_has_alias
FROM collection_members m
WINDOW by_primary AS (PARTITION BY repository_id, scope_cycle, digest
                      ORDER BY may_be_alias, batch DESC, position),
       by_ingest AS (PARTITION BY repository_id, scope_cycle, digest ORDER BY batch, position);

-- Alias resolution (SPEC 2, 3): every Alias/Unknown image of a group with a primary is resolved
-- against it. Columns that resolution changes are recomputed here; the rest are the image's own.
CREATE VIEW resolved_images AS
WITH g AS (
    SELECT g.*, p.tag AS target_tag, p.cycle AS target_cycle, p.display_name AS target_display_name,
           p.date AS target_date,
           g.may_be_alias AND p.tag IS NOT NULL AS resolved,
           coalesce(g.architecture, p.architecture) AS resolved_architecture
    FROM digest_groups g
    LEFT JOIN tags p ON p.id = g.primary_tag_id
)
SELECT registry, repository, repository_id, scope_cycle, tag_id, tag, digest, batch, position,
       coalesce((SELECT n.size FROM node_presence n
                 WHERE n.digest = g.digest AND n.size IS NOT NULL AND n.size <> 0
                 ORDER BY n.seen_at DESC LIMIT 1), size) AS size,
       CASE WHEN resolved THEN 'Alias' ELSE image_type END AS image_type,
       CASE WHEN resolved THEN 0 ELSE type_priority END AS type_priority,
       CASE WHEN resolved THEN
           alias_title || ' ('
           || replace(CASE WHEN instr(target_display_name, ' (') > 0
                           THEN replace(replace(target_display_name, ' (', ', '), ')', '')
                           ELSE target_display_name END,
                      ' [' || coalesce(resolved_architecture, 'None') || ']', '')
           || ')' || coalesce(' [' || resolved_architecture || ']', '')
       ELSE display_name END AS display_name,
       version, version_major, version_minor, version_patch, version_prerelease, prerelease_key,
       base,
       CASE WHEN resolved THEN target_cycle ELSE cycle END AS cycle,
       cycle AS parsed_cycle,
       cycle_build, rsp_build,
       CASE WHEN resolved THEN resolved_architecture ELSE architecture END AS architecture,
       extra,
       CASE WHEN resolved THEN coalesce(date, target_date) ELSE date END AS date,
       CASE WHEN resolved THEN target_tag END AS alias_target,
       tag_id IS primary_tag_id AS is_primary,
       tag_id = coalesce(primary_tag_id, earliest_tag_id) AS is_image_for_digest,
       group_has_alias AND tag_id IS primary_tag_id AS is_aliased
FROM g;

-- Menu order (SPEC 1.5) over resolved fields, as a rank within each collection: types in
-- priority order, then each comparison step descending, then the tag's bytes descending.
CREATE VIEW menu_images AS
SELECT *,
       row_number() OVER (
           PARTITION BY repository_id, scope_cycle
           ORDER BY type_priority,
                    version_major IS NULL DESC, version_major DESC, version_minor DESC,
                    version_patch DESC, prerelease_key IS NULL DESC, prerelease_key DESC,
                    base DESC, cycle DESC, cycle_build DESC, rsp_build DESC, extra DESC,
                    architecture IS NULL DESC, architecture DESC, tag DESC
       ) AS menu_rank
FROM resolved_images;

-- Menu-ordered images with their aliases (every other tag of the digest group, within the same
-- collection) and the nodes they were seen on, as sorted JSON arrays: one row per image as the
-- catalog lists it.
CREATE VIEW image_listing AS
SELECT m.*,
       (SELECT json_group_array(tag) FROM (
            SELECT c.tag FROM current_images c
            WHERE c.repository_id = m.repository_id AND c.digest = m.digest AND c.tag_id <> m.tag_id
              AND (m.scope_cycle IS NULL OR c.cycle = m.scope_cycle)
            ORDER BY c.tag)) AS aliases,
       (SELECT json_group_array(node) FROM (
            SELECT node FROM node_presence n WHERE n.digest = m.digest ORDER BY node)) AS nodes
FROM menu_images m;

-- What each tag pointed to, over time.
CREATE VIEW tag_timeline AS
SELECT r.registry, r.repository, h.repository_id, t.tag, h.digest, h.size, h.started_at, h.ended_at,
       h.started_snapshot, h.ended_snapshot
FROM tag_history h
JOIN tags t ON t.id = h.tag_id
JOIN repositories r ON r.id = h.repository_id;
