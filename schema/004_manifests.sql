-- rspcat catalog schema, version 4: what each image is, and what rspcat deleted.
--
-- `rspcat sync` reads each digest it has not seen before from the registry, once (a digest's
-- content never changes): its manifest and, per platform, its config. `rspcat prune --apply`
-- and `rspcat delete` delete digests from the registry and journal each deletion here.

-- One row per digest read from a registry.
CREATE TABLE manifests (
    digest       TEXT PRIMARY KEY,
    media_type   TEXT NOT NULL,
    size         INTEGER NOT NULL,  -- bytes of the distinct config and layer blobs, all platforms
    created      TEXT,              -- the config's `created`; an index's newest platform's
    snapshot_id  INTEGER NOT NULL REFERENCES snapshots (id)  -- the sync that read it (undo removes it)
) WITHOUT ROWID;

-- A multi-platform index's entries, in its order.
CREATE TABLE manifest_platforms (
    digest           TEXT NOT NULL REFERENCES manifests (digest),
    position         INTEGER NOT NULL,  -- from 1
    os               TEXT NOT NULL,     -- '' when the entry names none
    architecture     TEXT NOT NULL,
    variant          TEXT,
    platform_digest  TEXT NOT NULL,
    PRIMARY KEY (digest, position)
) WITHOUT ROWID;

-- Every digest rspcat deleted from a registry, with what it was when it went.
CREATE TABLE deletions (
    id             INTEGER PRIMARY KEY,
    repository_id  INTEGER NOT NULL REFERENCES repositories (id),
    digest         TEXT NOT NULL,
    tags           TEXT NOT NULL,   -- the tags it carried, space-separated, sorted
    size           INTEGER,         -- bytes, as the catalog knew them
    deleted_at     TEXT NOT NULL,
    command        TEXT NOT NULL CHECK (command IN ('prune', 'delete')),
    policy_file    TEXT,            -- prune: the policy file as given
    policy_sha256  TEXT             -- prune: `sha256:` and the SHA-256 of its bytes
);
CREATE INDEX deletions_by_time ON deletions (repository_id, deleted_at);
