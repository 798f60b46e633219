-- rspcat catalog schema, version 2: the current listing, materialised.
--
-- Version 1 resolved aliases and ranked the menu in views, on every query: seconds on a catalog
-- of 100,000 images. Version 2 keeps the resolved rows in the table `listing`, which rspcat
-- refreshes, within the same transaction, for the digests that a write touched (the triggers
-- below collect them in `listing_stale`); an index serves menu order. The views remain the one
-- definition of resolution: `listing` holds exactly what `listing_source` says of the digests
-- it refreshes, and the catalog reads past states through copies of the same views.

-- Digest groups (SPEC 3), per collection: the primary (the first non-alias image of the latest
-- batch), the earliest-ingested image, and whether the group holds an alias. Correlated lookups
-- through images_by_digest rather than window functions, which sorted every row of the catalog.
DROP VIEW digest_groups;
CREATE VIEW digest_groups AS
SELECT m.*,
       (SELECT x.tag_id FROM current_images x
        WHERE x.digest = m.digest AND +x.repository_id = m.repository_id
          AND (m.scope_cycle IS NULL OR x.cycle = m.scope_cycle) AND NOT x.may_be_alias
        ORDER BY x.batch DESC, x.position LIMIT 1) AS primary_tag_id,
       (SELECT x.tag_id FROM current_images x
        WHERE x.digest = m.digest AND +x.repository_id = m.repository_id
          AND (m.scope_cycle IS NULL OR x.cycle = m.scope_cycle)
        ORDER BY x.batch, x.position LIMIT 1) AS earliest_tag_id,
       (SELECT max(x.may_be_alias) FROM current_images x
        WHERE x.digest = m.digest AND +x.repository_id = m.repository_id
          AND (m.scope_cycle IS NULL OR x.cycle = m.scope_cycle)) AS group_has_alias
FROM collection_members m;

-- Resolved images with their aliases (every other tag of the digest group, within the same
-- collection) and the nodes they were seen on, as sorted JSON arrays: what `listing` holds.
CREATE VIEW listing_source AS
SELECT r.*,
       (SELECT json_group_array(tag) FROM (
            SELECT c.tag FROM current_images c
            WHERE c.repository_id = r.repository_id AND c.digest = r.digest AND c.tag_id <> r.tag_id
              AND (r.scope_cycle IS NULL OR c.cycle = r.scope_cycle)
            ORDER BY c.tag)) AS aliases,
       (SELECT json_group_array(node) FROM (
            SELECT node FROM node_presence n WHERE n.digest = r.digest ORDER BY node)) AS nodes
FROM resolved_images r;

-- The current listing: one row per image and collection, columns as in listing_source.
CREATE TABLE listing (
    registry             TEXT NOT NULL,
    repository           TEXT NOT NULL,
    repository_id        INTEGER NOT NULL,
    scope_cycle          INTEGER,           -- NULL: the repository's full collection
    tag_id               INTEGER NOT NULL,
    tag                  TEXT NOT NULL,
    digest               TEXT NOT NULL,
    batch                INTEGER NOT NULL,
    position             INTEGER NOT NULL,
    size                 INTEGER,
    image_type           TEXT NOT NULL,     -- resolved: 'Alias' for a resolved alias
    type_priority        INTEGER NOT NULL,
    display_name         TEXT NOT NULL,
    version              TEXT,
    version_major        INTEGER,
    version_minor        INTEGER,
    version_patch        INTEGER,
    version_prerelease   TEXT,
    prerelease_key       BLOB,
    base                 TEXT,
    cycle                INTEGER,           -- resolved
    parsed_cycle         INTEGER,
    cycle_build          INTEGER,
    rsp_build            INTEGER,
    architecture         TEXT,              -- resolved
    extra                TEXT,
    date                 TEXT,              -- resolved
    alias_target         TEXT,
    is_primary           INTEGER NOT NULL,
    is_image_for_digest  INTEGER NOT NULL,
    is_aliased           INTEGER NOT NULL,
    aliases              TEXT NOT NULL,     -- JSON array of tags
    nodes                TEXT NOT NULL      -- JSON array of node names
);
-- Menu order (SPEC 1.5) within a collection: types in priority order, then each comparison step
-- descending, then the tag's bytes descending. Queries that ORDER BY these very terms read the
-- index in order instead of sorting.
CREATE INDEX listing_by_menu ON listing (
    repository_id, scope_cycle, type_priority,
    version_major IS NULL DESC, version_major DESC, version_minor DESC, version_patch DESC,
    prerelease_key IS NULL DESC, prerelease_key DESC, base DESC, cycle DESC, cycle_build DESC,
    rsp_build DESC, extra DESC, architecture IS NULL DESC, architecture DESC, tag DESC);
CREATE INDEX listing_by_digest ON listing (digest);
CREATE INDEX listing_by_tag ON listing (repository_id, tag);

-- Digests whose rows in `listing` no longer say what listing_source says: written by the
-- triggers below, emptied by rspcat's refresh at the end of each write. A digest may appear
-- more than once (the refresh reads it with IN), so the triggers need no conflict handling.
CREATE TABLE listing_stale (digest TEXT NOT NULL);

CREATE TRIGGER images_added AFTER INSERT ON images BEGIN
    INSERT INTO listing_stale (digest) VALUES (new.digest);
END;
CREATE TRIGGER images_changed AFTER UPDATE ON images BEGIN
    INSERT INTO listing_stale (digest) VALUES (old.digest), (new.digest);
END;
CREATE TRIGGER images_removed AFTER DELETE ON images BEGIN
    INSERT INTO listing_stale (digest) VALUES (old.digest);
END;
-- A tag parsed anew (declared an alias): the digests of its current images.
CREATE TRIGGER tags_changed AFTER UPDATE ON tags BEGIN
    INSERT INTO listing_stale (digest)
    SELECT digest FROM images WHERE repository_id = new.repository_id AND tag_id = new.id;
END;
CREATE TRIGGER node_presence_added AFTER INSERT ON node_presence BEGIN
    INSERT INTO listing_stale (digest) VALUES (new.digest);
END;
CREATE TRIGGER node_presence_changed AFTER UPDATE ON node_presence BEGIN
    INSERT INTO listing_stale (digest) VALUES (old.digest), (new.digest);
END;
CREATE TRIGGER node_presence_removed AFTER DELETE ON node_presence BEGIN
    INSERT INTO listing_stale (digest) VALUES (old.digest);
END;

INSERT INTO listing SELECT * FROM listing_source;

-- The listing with each image's position in menu order within its collection, as version 1
-- had it. No extension function and no JSON function: readable with PRAGMA trusted_schema=OFF.
DROP VIEW image_listing;
CREATE VIEW image_listing AS
SELECT *,
       row_number() OVER (
           PARTITION BY repository_id, scope_cycle
           ORDER BY type_priority,
                    version_major IS NULL DESC, version_major DESC, version_minor DESC,
                    version_patch DESC, prerelease_key IS NULL DESC, prerelease_key DESC,
                    base DESC, cycle DESC, cycle_build DESC, rsp_build DESC, extra DESC,
                    architecture IS NULL DESC, architecture DESC, tag DESC
       ) AS menu_rank
FROM listing;
