// The catalog: images per registry repository in SQLite, the history of every listing, and
// alias resolution as digest-grouped SQL (model.md §3). Schema: schema/*.sql.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rspcat/error.hpp"
#include "rspcat/export.hpp"
#include "rspcat/image.hpp"
#include "rspcat/listing.hpp"
#include "rspcat/manifest.hpp"
#include "rspcat/policy.hpp"
#include "rspcat/tag.hpp"
#include "rspcat/time.hpp"

namespace rspcat {

// The repository's state at one snapshot time, for charts over its history (rspcat report).
struct HistoryPoint {
    Timestamp at;  // a snapshot's time; several snapshots at one time make one point
    // Current tags of each type (indexed by ImageType; aliases under ImageType::alias).
    std::array<std::int64_t, image_type_count> tags{};
    // The sum of the known sizes of the distinct digests current tags point to: what the
    // registry holds, counting a digest once however many tags it carries.
    std::int64_t bytes = 0;
};

// A failure of the catalog: something it cannot do as asked (an unknown repository, a snapshot out
// of time order: ErrorKind::failed), or a kind that says why the file cannot be used (busy,
// read-only, corrupt, …). The message names the catalog file and what was being done.
class RSPCAT_API CatalogError : public Error {
   public:
    explicit CatalogError(const std::string& message) : Error(ErrorKind::failed, message) {}
    CatalogError(ErrorKind kind, const std::string& message) : Error(kind, message) {}
    // Defined in the library, so that its vtable and typeinfo live there once.
    ~CatalogError() override;
};

struct RepositoryName {
    std::string registry;
    std::string repository;

    bool operator==(const RepositoryName&) const = default;
};

// Which collection a query is about: a repository (optional when the catalog holds exactly one),
// optionally a cycle to restrict it to, and optionally a past time to see it as it was then.
struct CollectionSpec {
    std::optional<RepositoryName> repository{};
    std::optional<std::int64_t> cycle{};
    std::optional<Timestamp> at{};
};

struct ListOptions {
    bool hide_arch_specific = true;
    bool hide_aliased = false;
    bool hide_resolved_aliases = false;
};

struct SubsetOptions {
    int releases = 0;
    int weeklies = 0;
    int dailies = 0;
    std::vector<std::string> include{};
    bool remove_arch_specific = true;
};

// What nublado's spawner shows (model.md §3 subset, model.md §4 policy).
struct MenuOptions {
    std::string recommended;           // listed first in the menu
    int releases = 0, weeklies = 0, dailies = 0;
    std::vector<std::string> pins{};     // tags to prepull as well
    std::vector<std::string> nodes{};    // when given, the menu lists only images on all of them
    std::optional<FilterPolicy> policy{};  // what the dropdown shows; without one, every image
    Timestamp age_basis{};
};

struct Menu {
    std::vector<Image> menu;      // the prepulled images, aliased ones hidden, recommended first
    std::vector<Image> dropdown;  // every image that passes the policy
};

// A bound on how many of a repository's current tags one full snapshot may remove: a number of
// tags, or a whole percentage (0 to 100) of the tags the repository holds before the snapshot
// (`percentage(50)` lets a snapshot of 2 remove at most 1 of 3 current tags).
struct RemovalLimit {
    std::int64_t value = 0;
    bool percent = false;

    static RemovalLimit tags(std::int64_t n) { return {n, false}; }
    static RemovalLimit percentage(std::int64_t p) { return {p, true}; }
    // Whether removing `removed` of `current` tags stays within the limit.
    bool allows(std::int64_t removed, std::int64_t current) const {
        if (!percent) return removed <= value;
        // Clamped so that neither product overflows: above 100% allows everything, and no
        // repository holds anywhere near 2^63 / 100 tags.
        constexpr std::int64_t most = INT64_MAX / 100;
        const std::int64_t p = value < 0 ? 0 : value > 100 ? 100 : value;
        const std::int64_t r = removed > most ? most : removed, c = current > most ? most : current;
        return r * 100 <= p * c;
    }
};

// One listing to ingest: a full snapshot (replaces the current images) or a merge (each row its
// own later batch; nothing is removed).
struct IngestSpec {
    RepositoryName repository;
    std::vector<std::string> aliases{};  // added to the repository's remembered alias tags
    Timestamp taken_at;
    std::string source;  // file name or `-`, recorded with the snapshot and used in errors
    bool merge = false;

    // Guards against a full snapshot that is probably a mistake: a listing that came back empty
    // or cut short (a wrong file, a filter that matched nothing, a registry that answered with
    // nothing) would otherwise empty the repository's current images. A refused snapshot throws
    // IngestGuardError (ErrorKind::failed) before anything of it is written, and, like any failed
    // ingest, rolls its Writer back. Merges remove nothing and are never refused; neither is the
    // first snapshot of a repository for what it removes (it removes nothing).
    //
    // The defaults accept every snapshot, as the library always did: an empty listing is a
    // valid snapshot (a repository with no tags), and only the caller knows whether its listing
    // can be trusted, so an embedder's ingests keep working as they did. The rspcat tool sets
    // both guards (allow_empty = false, max_removed = 50%; docs/cli.md).
    //
    // allow_empty: false refuses a full snapshot of no rows. An empty snapshot that is allowed
    // removes every current tag whatever max_removed says: that is what allowing it asks for.
    bool allow_empty = true;
    // A full snapshot that would remove more of the repository's current tags than this is
    // refused; nullopt for no limit.
    std::optional<RemovalLimit> max_removed{};

    // What the registry said of digests the catalog had not read before (rspcat sync): recorded
    // with the snapshot, in its transaction, and removed by its undo. A digest the catalog holds
    // already is left as it is (digests are immutable). Each must be a sha256 digest with a
    // non-negative size (InputError naming `source` otherwise).
    std::vector<ManifestDetails> manifests{};
};

// An ingest refused by one of IngestSpec's guards: ErrorKind::failed, the message naming the
// source, the repository and, for removals, how many tags would go and of how many. `guard`
// says which, so that a caller can name the setting that forces it.
class RSPCAT_API IngestGuardError : public CatalogError {
   public:
    enum class Guard { empty, removed };
    IngestGuardError(const std::string& message, Guard guard) : CatalogError(message), guard(guard) {}
    ~IngestGuardError() override;
    Guard guard;
};

struct IngestSummary {
    std::int64_t snapshot_id = 0;
    std::int64_t rows = 0;
    std::int64_t added = 0;
    std::int64_t moved = 0;
    std::int64_t removed = 0;
    // Set when a full snapshot found exactly what the repository's latest snapshot holds (tags,
    // digests, sizes, order, aliases): the time of that snapshot. No snapshot is added then;
    // `snapshot_id` is the latest one, which records this ingest's time as its `confirmed_at`.
    std::optional<Timestamp> unchanged_since;
};

// One tag → digest assignment of a tag's history.
struct TimelineEntry {
    std::string tag;
    std::string digest;
    std::optional<std::int64_t> size;
    Timestamp from;                      // the snapshot it first appeared in
    std::optional<Timestamp> to;         // the snapshot it no longer held in; none while it holds
    std::optional<std::string> resolved_to;  // for an alias: the tag it resolved to when it started
};

// How one tag differs between two times.
struct TagChange {
    enum class Kind { added, removed, moved };
    Kind kind;
    std::string tag;
    std::optional<std::string> old_digest;
    std::optional<std::string> new_digest;
};

// A repository of the catalog as `rspcat repos` lists it.
struct RepositorySummary {
    RepositoryName name;
    std::int64_t tag_count = 0;             // current tags
    std::vector<std::string> aliases{};     // its alias tags, sorted
    std::int64_t snapshot_count = 0;
    std::optional<Timestamp> first_snapshot{};  // the oldest snapshot's time; none before any
    std::optional<Timestamp> last_snapshot{};   // the newest snapshot's time
};

// A digest deleted from a registry (`rspcat prune --apply`, `rspcat delete`), as journalled in
// `deletions`.
struct Deletion {
    std::int64_t id = 0;  // set by the catalog
    RepositoryName repository;
    std::string digest;
    std::vector<std::string> tags;  // the tags it carried when it went, sorted
    std::optional<std::int64_t> size;
    Timestamp deleted_at;
    std::string command;  // `prune` or `delete`
    std::optional<std::string> policy_file;
    std::optional<std::string> policy_sha256;  // `sha256:HEX` of the policy file's bytes
    bool operator==(const Deletion&) const = default;
};

// One ingest of a repository, as recorded in `snapshots`.
struct SnapshotSummary {
    std::int64_t id = 0;
    Timestamp taken_at;     // the listing's time
    Timestamp ingested_at;  // when rspcat wrote it
    bool merge = false;     // a merge (`--merge`) rather than a full snapshot
    std::string source;     // file name, `-` for standard input, or the registry URL of a sync
    std::int64_t tag_count = 0, added = 0, moved = 0, removed = 0;
    // The latest full snapshot that found this listing unchanged, and how many did (no snapshot
    // is added for them): the listing held at least until then.
    std::optional<Timestamp> confirmed_at;
    std::int64_t confirmations = 0;
};

// What Catalog::undo did (or, for a dry run, would do) to a repository.
struct UndoSummary {
    RepositoryName repository;
    SnapshotSummary snapshot;             // the snapshot undone, as it was recorded
    bool dry_run = false;                 // nothing was written
    std::int64_t images_restored = 0;     // current images put back as they were before it
    std::int64_t images_removed = 0;      // current images it had added, removed
    std::int64_t history_removed = 0;     // tag_history rows it had opened, removed
    std::int64_t history_reopened = 0;    // tag_history rows it had closed, open again
    std::int64_t tags_removed = 0;        // tags it was the first to list, forgotten
    std::int64_t tags_reparsed = 0;       // tags whose earlier parse was put back
    std::vector<std::string> aliases_removed{};  // alias tags its ingest had added
    bool repository_removed = false;      // it was the repository's first snapshot
};

// What Catalog::add_alias_tags or Catalog::remove_alias_tags did to a repository's alias tags.
struct AliasTagsChange {
    RepositoryName repository;
    std::vector<std::string> changed{};    // tags added (or removed), in the order given, each once
    std::vector<std::string> unchanged{};  // add_alias_tags: tags that were alias tags already
};

// Something that Catalog::check found wrong in a catalog: the table (or "database" for the file
// as a whole), the row's rowid or id where it has one, and what is wrong with it.
struct CheckProblem {
    std::string table;
    std::optional<std::int64_t> row{};
    std::string message;
    bool repairable = false;  // whether CheckMode::repair would fix it
};

struct CheckReport {
    // What is wrong; after a repair, what is still wrong.
    std::vector<CheckProblem> problems;
    // What a repair changed, one line each.
    std::vector<std::string> repaired;

    bool clean() const { return problems.empty(); }
};

// Whether Catalog::check only reports (and opens the catalog read-only), or also repairs what
// rspcat derives (in one write transaction).
enum class CheckMode { report, repair };

// Pulls the next row of a listing, or nullopt at its end. An ingest checks every row as the
// listing readers do (a Docker tag, `sha256:` and 64 lower-case hex digits, a size of at least
// 0) and refuses the listing with an InputError naming the ingest's source and the row's
// `line` (its number in the listing when the source leaves `line` at 0). An exception that the
// RowSource itself throws ends the ingest too and reaches the caller unchanged, of its own
// type: in both cases nothing of the ingest is written.
using RowSource = std::function<std::optional<ListingRow>()>;

// Errors: every public function throws only rspcat::Error (here CatalogError, InputError and
// PolicyError; see error.hpp for the kinds) or std::bad_alloc, and a failed write leaves the
// catalog as it was.
//
// Rules of use:
// - One Catalog belongs to one thread at a time: it holds one SQLite connection and statements
//   on it. Threads that work at once open a Catalog each, on the same file.
// - Several processes may open the same file. The catalog is in WAL mode: readers never wait
//   for a writer and see the last commit made before their query began; a writer waits up to 30
//   seconds (the busy timeout the Catalog was opened with) for another writer, then fails with
//   ErrorKind::busy.
// - At most one Writer is open on a Catalog. While it is, writer(), ingest(), add_alias_tags()
//   and remove_alias_tags() are misuse errors; queries and mark_seen() on the same Catalog run
//   inside its transaction, so they see (and mark_seen() adds to) what it has ingested but not
//   yet committed. Other connections see none of it before commit().
// - A Catalog or Writer that was moved from, a Writer used after commit() or after one of its
//   ingests failed (which rolls the whole Writer back), and a Writer whose Catalog was destroyed,
//   are misuse errors (ErrorKind::misuse) that leave the catalog unchanged.
class RSPCAT_API Catalog {
   public:
    enum class Mode { read_write, read_only };

    // The implementation, for the catalog's own source files: not exported.
    struct RSPCAT_INTERNAL Impl;

    // Opens or creates a catalog file (`:memory:` for a private in-memory one), bringing its
    // schema up to date. Read-only catalogs must already be up to date. Refused with a
    // CatalogError: a path that is not a regular file (a FIFO, a directory, a symbolic link), a
    // file that is not an rspcat catalog (not_a_catalog) or whose schema version is newer than
    // this build knows (newer_schema), and a catalog whose own tables, indexes, views or triggers
    // differ from what rspcat's schema makes at its version (changed outside rspcat: corrupt).
    // Objects of the user's own are allowed, but a trigger that rspcat did not make makes writes
    // (ingest, mark_seen) fail (read_only): it would run in them.
    // `busy_timeout`: how long a write (and an open that must upgrade the schema) waits for
    // another connection's lock before it fails with ErrorKind::busy.
    static constexpr std::chrono::milliseconds default_busy_timeout{30000};
    explicit Catalog(const std::string& path, Mode mode = Mode::read_write,
                     std::chrono::milliseconds busy_timeout = default_busy_timeout);
    // As above, and `on_long_lock_wait` is called once in each wait for another connection's
    // lock that has lasted lock_wait_notice_after, so that an interactive tool can say why it
    // seems stuck. It runs on the waiting thread, inside SQLite: what it throws is ignored.
    static constexpr std::chrono::milliseconds lock_wait_notice_after{1000};
    using LockWaitNotice = std::function<void()>;
    Catalog(const std::string& path, Mode mode, std::chrono::milliseconds busy_timeout,
            LockWaitNotice on_long_lock_wait);
    ~Catalog();
    Catalog(Catalog&&) noexcept;
    Catalog& operator=(Catalog&&) noexcept;

    // What the open noticed that the user should hear, e.g. that a catalog whose directory the
    // reader cannot write is read as immutable (changes committed meanwhile are not seen).
    const std::vector<std::string>& warnings() const;

    // Groups ingests into one transaction: all of them land on commit(), none if the Writer is
    // destroyed first (an exception, an early return) or if one of them fails. Moving the Catalog
    // while a Writer is open is allowed: the Writer follows it.
    class Writer {
       public:
        ~Writer();
        Writer(Writer&&) noexcept;
        Writer& operator=(Writer&&) = delete;
        IngestSummary ingest(const IngestSpec& spec, const RowSource& rows);
        void commit();

        struct RSPCAT_INTERNAL State;

       private:
        friend class Catalog;
        RSPCAT_INTERNAL explicit Writer(Impl& catalog);
        RSPCAT_INTERNAL State& usable(const char* call);
        std::unique_ptr<State> state_;
    };
    // Begins a write transaction (waiting, like any writer, for another process's to end).
    Writer writer();

    // One ingest in its own transaction.
    IngestSummary ingest(const IngestSpec& spec, const RowSource& rows);

    std::vector<RepositoryName> repositories() const;
    // Every repository with its current tag count, alias tags and snapshot times, by name.
    std::vector<RepositorySummary> repository_summaries() const;
    // The repository's snapshots, newest first (by time, then by the order they were ingested),
    // at most `limit` of them when given. `repository` may be left out when the catalog holds
    // exactly one.
    std::vector<SnapshotSummary> snapshots(const std::optional<RepositoryName>& repository = {},
                                           std::optional<std::int64_t> limit = {}) const;

    // The repository's tag counts by type and bytes held at each snapshot time, oldest first
    // (the snapshots' times only, not --at's). Swept from the history's assignment start and end
    // events: one pass, however many snapshots.
    std::vector<HistoryPoint> history_points(const std::optional<RepositoryName>& repository = {}) const;

    // Makes `tags` alias tags of the repository (optional when the catalog holds one), in one
    // write transaction: each tag the repository already has is re-parsed with the alias parse,
    // and the listing of its digests is refreshed, so queries resolve it as an alias at once.
    // A tag that is not a Docker tag is an InputError; tags that are alias tags already change
    // nothing (AliasTagsChange::unchanged). Refused (misuse) while a Writer is open.
    AliasTagsChange add_alias_tags(const std::optional<RepositoryName>& repository,
                                   const std::vector<std::string>& tags);
    // The reverse: `tags` are no longer alias tags, and each is re-parsed with the grammar parse.
    // A tag that is not an alias tag of the repository is a CatalogError, and nothing changes.
    AliasTagsChange remove_alias_tags(const std::optional<RepositoryName>& repository,
                                      const std::vector<std::string>& tags);

    // Removes the repository's latest snapshot (optional when the catalog holds one repository)
    // and puts the current state, the history, the tags and the listing back exactly as they were
    // before its ingest; undone again, the one before it, and so on. The first snapshot's undo
    // also removes the repository and the alias tags its ingest added. In one transaction; with
    // `dry_run` nothing is written. A CatalogError, changing nothing, when the repository has no
    // snapshot, when its latest has no undo journal (ingested before catalog schema 3), or when
    // its alias tags were changed (`rspcat alias`) after that snapshot.
    UndoSummary undo(const std::optional<RepositoryName>& repository, bool dry_run = false);

    // The collection's images in menu order (model.md §3 listing options).
    std::vector<Image> images(const CollectionSpec& collection, const ListOptions& options = {}) const;

    // Called with each image of a listing in turn; the Image is valid only during the call.
    using ImageVisitor = std::function<void(const Image&)>;
    // The images of images(collection, options), in the same order, passed to `visit` one at a
    // time as they are read, so that memory does not grow with the collection. All of them come
    // from one state of the catalog (one read transaction, held until the call returns). Errors
    // of the catalog are rspcat::Error, as everywhere; an exception that `visit` throws stops the
    // listing and reaches the caller unchanged, of its own type, and the Catalog stays usable.
    // `visit` must not use this Catalog (one connection is in the middle of a query).
    void for_each_image(const CollectionSpec& collection, const ListOptions& options, const ImageVisitor& visit) const;
    // The first image of that (resolved) type in menu order, architecture-specific included.
    std::optional<Image> latest(const CollectionSpec& collection, ImageType type) const;
    std::optional<Image> image_for_digest(const CollectionSpec& collection, const std::string& digest) const;
    std::optional<Image> image_for_tag(const CollectionSpec& collection, const std::string& tag) const;
    // The digests, current or past, of every repository that start with `prefix` (`sha256:` and
    // some hex digits), sorted, at most `limit` of them: for digests given short, as tables print
    // them. One digest: the prefix is unique.
    std::vector<std::string> digests_starting_with(const std::string& prefix, std::size_t limit = 10) const;
    std::vector<Image> subset(const CollectionSpec& collection, const SubsetOptions& options) const;
    // One image per digest of `collection` whose digest is absent from `other`.
    std::vector<Image> subtract(const CollectionSpec& collection, const CollectionSpec& other) const;

    // The collection's images that the policy keeps (or, inverted, does not keep), in menu order.
    std::vector<Image> filter(const CollectionSpec& collection, const FilterPolicy& policy,
                              const FilterOptions& options) const;
    // The same images, passed to `visit` one at a time as for_each_image() does.
    void for_each_filtered(const CollectionSpec& collection, const FilterPolicy& policy, const FilterOptions& options,
                           const ImageVisitor& visit) const;

    Menu menu(const CollectionSpec& collection, const MenuOptions& options) const;

    // Every assignment the tag has had in the collection's repository, oldest first.
    std::vector<TimelineEntry> timeline(const CollectionSpec& collection, const std::string& tag) const;
    // Every assignment of a tag to the digest in the collection's repository, oldest first: which
    // tags pointed to it, and when.
    std::vector<TimelineEntry> digest_timeline(const CollectionSpec& collection, const std::string& digest) const;
    // Tags added, removed and moved to another digest between two times, by tag.
    std::vector<TagChange> diff(const CollectionSpec& collection, Timestamp from, Timestamp to) const;

    // What the catalog read of each of `digests` from a registry, for those it holds, in no
    // particular order.
    std::vector<ManifestDetails> manifests(const std::vector<std::string>& digests) const;

    // Journals deletions from the repository's registry (its `id` is ignored), in one write
    // transaction. The repository must be in the catalog; `command` `prune` or `delete`.
    void record_deletions(const std::vector<Deletion>& deletions);
    // The repository's journalled deletions (all repositories' when nullopt), newest first, at
    // most `limit`.
    std::vector<Deletion> deletions(const std::optional<RepositoryName>& repository = {},
                                    std::optional<std::int64_t> limit = {}) const;

    // Records that `node` has the image with `digest` (and its size, when given). Returns false,
    // and records nothing, when no repository has an image with that digest.
    bool mark_seen(const std::string& digest, const std::string& node, std::optional<std::int64_t> size,
                   Timestamp at);

    // Checks a catalog file: PRAGMA integrity_check and foreign_key_check, its schema objects
    // against those of its schema version, every tag's parse against this build's, stored
    // digests, sizes and times, the history's intervals, `images` against the open history rows,
    // each snapshot's counts against its history rows, and the stored listing against the
    // resolution views. It opens the file itself, so that it also checks a catalog that the
    // constructor refuses because its views, triggers or indexes were changed by hand; it still
    // refuses (CatalogError) a file that is not an rspcat catalog and one of another schema
    // version. CheckMode::repair re-creates rspcat's views, triggers and indexes and rewrites
    // tag parses, `images` and the listing, in one transaction; it leaves the rest (tables,
    // history, snapshots, triggers that rspcat did not make) as it is and reports it.
    static CheckReport check(const std::string& path, CheckMode mode = CheckMode::report);

    // The schema version this build writes (PRAGMA user_version).
    static int schema_version();

   private:
    // The implementation, or a misuse error when this Catalog was moved from.
    RSPCAT_INTERNAL Impl& impl() const;
    // check() without its translation of errors.
    RSPCAT_INTERNAL static CheckReport check_file(const std::string& path, CheckMode mode);
    std::unique_ptr<Impl> impl_;
};

}  // namespace rspcat
