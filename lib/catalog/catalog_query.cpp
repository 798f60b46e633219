// Queries over the catalog's resolved listing (schema/002_listing.sql): the SQL resolves aliases
// and sorts; this file only picks the collection, filters and turns rows into Image values.
#include <SQLiteCpp/Transaction.h>

#include <nlohmann/json.hpp>
#include <optional>

#include <algorithm>
#include <array>
#include <exception>
#include <set>

#include "catalog_errors.hpp"
#include "catalog_impl.hpp"
#include "input_text.hpp"
#include "catalog_manifests.hpp"
#include "image_row.hpp"

namespace rspcat {

namespace {

using SQLite::Statement;

// An SQLiteCpp statement's current row, for image_from_row().
class StatementRow : public ColumnValues {
   public:
    explicit StatementRow(Statement& s) : s_(s) {}
    bool is_null(int c) const override { return s_.getColumn(c).isNull(); }
    std::int64_t integer(int c) const override { return s_.getColumn(c).getInt64(); }
    std::string text(int c) const override { return s_.getColumn(c).getString(); }

   private:
    Statement& s_;
};

// A row that does not read (a date or list written by hand in the sqlite3 shell) is the
// catalog's fault, not the caller's: a CatalogError that names the tag.
Image read_image(Statement& s) {
    try {
        return image_from_row(StatementRow(s));
    } catch (const std::runtime_error& e) {
        throw CatalogError(ErrorKind::corrupt, "the catalog's row of tag " + detail::quoted(s.getColumn(0).getString()) +
                                                   " holds " + e.what() + " (run `rspcat check --repair`)");
    }
}

// Binds the collection (:repository, :cycle) of a statement over the listing.
void bind_collection(Statement& s, std::int64_t repository, const CollectionSpec& collection) {
    s.bind(":repository", static_cast<std::int64_t>(repository));
    bind_optional(s, ":cycle", collection.cycle);
}

// Thrown in place of what an ImageVisitor threw, which `thrown` keeps: with_catalog_errors()
// would translate that, and the caller must get it unchanged. Not a std::exception, so that
// nothing on the way mistakes it for an error of the catalog.
struct VisitorThrew {};

// Every row's image, with what the manifest tables know of its digest, passed to `visit` as it
// is read. Passed as a non-const Image, so that the catalog's own visitors can move it.
template <typename Visit>
void visit_all(const Catalog::Impl& impl, Statement& s, Visit&& visit, std::exception_ptr& thrown) {
    detail::ManifestAttacher manifests(const_cast<SQLite::Database&>(impl.db));
    while (s.executeStep()) {
        Image image = read_image(s);
        manifests.attach(image);
        try {
            visit(image);
        } catch (...) {
            thrown = std::current_exception();
            throw VisitorThrew{};
        }
    }
}

// with_catalog_errors() for a function that calls an ImageVisitor: `body(thrown)` runs in it,
// and what the visitor threw is rethrown as it was.
template <typename Body>
void with_visitor(const std::string& path, const std::string& doing, Body&& body) {
    std::exception_ptr thrown;
    try {
        with_catalog_errors(path, doing, [&] { body(thrown); });
    } catch (const VisitorThrew&) {
        std::rethrow_exception(thrown);
    }
}

std::vector<Image> read_all(const Catalog::Impl& impl, Statement& s) {
    std::vector<Image> images;
    std::exception_ptr thrown;
    // push_back can only throw std::bad_alloc, which passes anyway.
    try {
        visit_all(impl, s, [&](Image& image) { images.push_back(std::move(image)); }, thrown);
    } catch (const VisitorThrew&) {
        std::rethrow_exception(thrown);
    }
    return images;
}

std::optional<Image> read_first(const Catalog::Impl& impl, Statement& s) {
    if (!s.executeStep()) return std::nullopt;
    Image image = read_image(s);
    detail::ManifestAttacher(const_cast<SQLite::Database&>(impl.db)).attach(image);
    return image;
}

const char* in_collection = "repository_id = :repository AND scope_cycle IS :cycle";

// `SELECT <image columns> FROM <listing> WHERE <in the collection> <more>`, prepared, with the
// collection bound; `{listing}` in `more` names the same listing view.
Statement listing_query(const Catalog::Impl& const_impl, const CollectionSpec& collection, std::string more) {
    auto& impl = const_cast<Catalog::Impl&>(const_impl);  // past views are per-connection scratch
    const std::int64_t repository = impl.repository_id(collection);
    const std::string view = impl.listing_view(collection);
    for (std::size_t at = more.find("{listing}"); at != std::string::npos; at = more.find("{listing}")) {
        more.replace(at, 9, view);
    }
    Statement s(impl.db, std::string("SELECT ") + image_row_columns + " FROM " + view + " WHERE " + in_collection + " " + more);
    bind_collection(s, repository, collection);
    return s;
}

}  // namespace

std::int64_t Catalog::Impl::repository_id(const CollectionSpec& collection) const {
    Statement s(const_cast<SQLite::Database&>(db), repository_lookup);
    if (collection.repository) SQLite::bind(s, collection.repository->registry, collection.repository->repository);
    std::vector<std::int64_t> ids;
    while (s.executeStep()) ids.push_back(s.getColumn(0).getInt64());
    if (ids.empty() && collection.repository) {
        throw CatalogError("catalog " + path + " has no repository " + collection.repository->registry + "/" +
                           collection.repository->repository);
    }
    if (ids.empty()) throw CatalogError("catalog " + path + " is empty: ingest a listing first");
    if (ids.size() > 1) {
        // Which ones, so that the user can name one without asking the catalog first.
        Statement all(const_cast<SQLite::Database&>(db),
                      "SELECT registry || '/' || repository FROM main.repositories ORDER BY registry, repository");
        std::vector<std::string> names;
        while (all.executeStep()) names.push_back(all.getColumn(0).getString());
        std::string list;
        for (const auto& name : names) list += (list.empty() ? "" : ", ") + name;
        throw CatalogError("catalog " + path + " holds " + std::to_string(names.size()) + " repositories (" + list +
                           "): name one with --registry and --repository");
    }
    return ids.front();
}

std::vector<RepositoryName> Catalog::repositories() const {
    return with_catalog_errors(impl().path, "list its repositories", [&]() -> std::vector<RepositoryName> {
        Statement s(impl_->db, "SELECT registry, repository FROM repositories ORDER BY registry, repository");
        std::vector<RepositoryName> names;
        while (s.executeStep()) names.push_back({s.getColumn(0).getString(), s.getColumn(1).getString()});
        return names;
    });
}

namespace {

// The statement of Catalog::images(), prepared and bound.
Statement images_query(const Catalog::Impl& impl, const CollectionSpec& collection, const ListOptions& options) {
    std::string conditions;
    // `+` keeps SQLite from taking the test for an index constraint, which made it sort again.
    if (options.hide_arch_specific) conditions += " AND +architecture IS NULL";
    if (options.hide_aliased) conditions += " AND NOT is_aliased";
    if (options.hide_resolved_aliases) conditions += " AND alias_target IS NULL";
    return listing_query(impl, collection, conditions + " ORDER BY " + menu_order);
}

}  // namespace

std::vector<Image> Catalog::images(const CollectionSpec& collection, const ListOptions& options) const {
    return with_catalog_errors(impl().path, "list its images", [&]() -> std::vector<Image> {
        ReadTransaction read(impl_->db);
        Statement s = images_query(*impl_, collection, options);
        return read_all(*impl_, s);
    });
}

void Catalog::for_each_image(const CollectionSpec& collection, const ListOptions& options,
                             const ImageVisitor& visit) const {
    with_visitor(impl().path, "list its images", [&](std::exception_ptr& thrown) {
        ReadTransaction read(impl_->db);
        Statement s = images_query(*impl_, collection, options);
        visit_all(*impl_, s, visit, thrown);
    });
}

std::optional<Image> Catalog::latest(const CollectionSpec& collection, ImageType type) const {
    return with_catalog_errors(impl().path, "find the latest image", [&]() -> std::optional<Image> {
        ReadTransaction read(impl_->db);
        Statement s = listing_query(*impl_, collection, std::string("AND image_type = :type ORDER BY ") + menu_order + " LIMIT 1");
        s.bind(":type", std::string(type_name(type)));
        return read_first(*impl_, s);
    });
}

std::optional<Image> Catalog::image_for_digest(const CollectionSpec& collection, const std::string& digest) const {
    return with_catalog_errors(impl().path, "find the image of a digest", [&]() -> std::optional<Image> {
        ReadTransaction read(impl_->db);
        Statement s = listing_query(*impl_, collection, "AND digest = :digest AND is_image_for_digest");
        s.bind(":digest", digest);
        return read_first(*impl_, s);
    });
}

std::optional<Image> Catalog::image_for_tag(const CollectionSpec& collection, const std::string& tag) const {
    return with_catalog_errors(impl().path, "find the image of a tag", [&]() -> std::optional<Image> {
        ReadTransaction read(impl_->db);
        Statement s = listing_query(*impl_, collection, "AND tag = :tag");
        s.bind(":tag", tag);
        return read_first(*impl_, s);
    });
}

std::vector<std::string> Catalog::digests_starting_with(const std::string& prefix, std::size_t limit) const {
    return with_catalog_errors(impl().path, "find the digests that start with a prefix", [&] {
        ReadTransaction read(impl_->db);
        // A range, so that images_by_digest serves the current images; 'g' sorts after every hex
        // digit. Past digests live only in tag_history, which has no digest index: a scan, once.
        Statement s(impl_->db, R"sql(
SELECT digest FROM images WHERE digest >= :low AND digest < :high
UNION
SELECT digest FROM tag_history WHERE digest >= :low AND digest < :high
ORDER BY digest LIMIT :limit)sql");
        s.bind(":low", prefix);
        s.bind(":high", prefix + "g");
        s.bind(":limit", static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
        std::vector<std::string> digests;
        while (s.executeStep()) digests.push_back(s.getColumn(0).getString());
        return digests;
    });
}

std::vector<Image> Catalog::subset(const CollectionSpec& collection, const SubsetOptions& options) const {
    return with_catalog_errors(impl().path, "list a subset of its images", [&]() -> std::vector<Image> {
        ReadTransaction read(impl_->db);
        // Count releases, weeklies and dailies in menu order; add the named tags; list each image once.
        Statement s = listing_query(
            *impl_, collection,
            std::string("AND (tag IN (SELECT tag FROM (SELECT tag, image_type, row_number() OVER ("
                        "PARTITION BY image_type ORDER BY ") +
                menu_order + ") AS n FROM {listing} WHERE " +
                in_collection +
                " AND image_type IN ('Release', 'Weekly', 'Daily') AND (:all_arch OR architecture IS NULL))"
                " WHERE (image_type = 'Release' AND n <= :releases) OR (image_type = 'Weekly' AND n <= :weeklies)"
                " OR (image_type = 'Daily' AND n <= :dailies))"
                " OR tag IN (SELECT value FROM json_each(:include))) ORDER BY " + menu_order);
        s.bind(":all_arch", options.remove_arch_specific ? 0 : 1);
        s.bind(":releases", options.releases);
        s.bind(":weeklies", options.weeklies);
        s.bind(":dailies", options.dailies);
        // Names that are not UTF-8 cannot be tags (tags are Docker tags); replacing their bad bytes
        // keeps dump() from throwing and matches nothing, as such a name should.
        s.bind(":include", nlohmann::json(options.include).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        return read_all(*impl_, s);
    });
}

std::vector<Image> Catalog::subtract(const CollectionSpec& collection, const CollectionSpec& other) const {
    return with_catalog_errors(impl().path, "subtract one collection from another", [&]() -> std::vector<Image> {
        ReadTransaction read(impl_->db);
        if (collection.at != other.at) throw CatalogError("subtract compares two collections at the same time");
        const std::int64_t other_repository = impl_->repository_id(other);
        Statement s = listing_query(*impl_, collection,
                                    std::string("AND is_image_for_digest AND digest NOT IN (SELECT digest FROM {listing}"
                                                " WHERE repository_id = :other_repository AND scope_cycle IS :other_cycle)"
                                                " ORDER BY ") +
                                        menu_order);
        s.bind(":other_repository", static_cast<std::int64_t>(other_repository));
        bind_optional(s, ":other_cycle", other.cycle);
        return read_all(*impl_, s);
    });
}

std::vector<Image> Catalog::filter(const CollectionSpec& collection, const FilterPolicy& policy,
                                   const FilterOptions& options) const {
    std::vector<Image> selected;
    for_each_filtered(collection, policy, options, [&](const Image& image) { selected.push_back(image); });
    return selected;
}

void Catalog::for_each_filtered(const CollectionSpec& collection, const FilterPolicy& policy,
                                const FilterOptions& options, const ImageVisitor& visit) const {
    with_visitor(impl().path, "filter its images by a policy", [&](std::exception_ptr& thrown) {
        ReadTransaction read(impl_->db);
        // Every image, architecture-specific ones too: the policy decides, in menu order.
        Statement s = images_query(*impl_, collection, {.hide_arch_specific = false});
        PolicySelector selector(policy, options);
        visit_all(*impl_, s, [&](const Image& image) {
            if (selector.selects(image)) visit(image);
        }, thrown);
    });
}

Menu Catalog::menu(const CollectionSpec& collection, const MenuOptions& options) const {
    return with_catalog_errors(impl().path, "make a menu", [&]() -> Menu {
        ReadTransaction read(impl_->db);
        // One pass over the listing in menu order makes both lists: what subset() would prepull
        // (the newest releases, weeklies and dailies that are not architecture-specific, counted
        // as its row_number() counts them, plus the pins and the recommended tag), and the
        // dropdown, as filter() or images() would list it. Three queries read the rows thrice.
        std::set<std::string> include(options.pins.begin(), options.pins.end());
        include.insert(options.recommended);
        std::array<std::int64_t, image_type_count> counted{};
        auto limit = [&](ImageType type) -> std::optional<std::int64_t> {
            if (type == ImageType::release) return options.releases;
            if (type == ImageType::weekly) return options.weeklies;
            if (type == ImageType::daily) return options.dailies;
            return std::nullopt;
        };
        std::optional<PolicySelector> selector;
        if (options.policy) selector.emplace(*options.policy, FilterOptions{options.age_basis, true, false});
        std::vector<Image> prepulled;
        Menu result;
        Statement s = images_query(*impl_, collection, {.hide_arch_specific = false});
        std::exception_ptr thrown;  // the visitor below throws std::bad_alloc at most
        try {
            visit_all(*impl_, s, [&](Image& image) {
                bool newest = false;
                if (const auto most = limit(image.tag.type); most && !image.tag.architecture) {
                    newest = ++counted[static_cast<std::size_t>(image.tag.type)] <= *most;
                }
                if (newest || include.count(image.tag.tag)) prepulled.push_back(image);
                if (selector ? selector->selects(image) : !image.tag.architecture) {
                    result.dropdown.push_back(std::move(image));
                }
            }, thrown);
        } catch (const VisitorThrew&) {
            std::rethrow_exception(thrown);
        }

        // Aliased images are hidden within the prepull set itself: an image stays unless an alias
        // that is also prepulled points to it.
        std::set<std::string> aliased;
        for (const Image& image : prepulled) {
            if (image.tag.type == ImageType::alias && image.alias_target) aliased.insert(*image.alias_target);
        }
        auto on_all_nodes = [&](const Image& image) {
            return std::all_of(options.nodes.begin(), options.nodes.end(), [&](const std::string& node) {
                return std::binary_search(image.nodes.begin(), image.nodes.end(), node);
            });
        };
        for (const Image& image : prepulled) {
            if (image.tag.tag == options.recommended) result.menu.insert(result.menu.begin(), image);
        }
        for (const Image& image : prepulled) {
            if (image.tag.tag == options.recommended || aliased.count(image.tag.tag) || !on_all_nodes(image)) continue;
            result.menu.push_back(image);
        }
        return result;
    });
}

bool Catalog::mark_seen(const std::string& digest, const std::string& node, std::optional<std::int64_t> size,
                        Timestamp at) {
    return with_catalog_errors(impl().path, "record a node", [&]() -> bool {
        impl_->check_writable("cannot record a node");
        // The check and the write in one transaction, so that an ingest cannot remove the digest
        // in between.
        std::optional<SQLite::Transaction> transaction;
        if (sqlite3_get_autocommit(impl_->db.getHandle())) transaction.emplace(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
        Statement known(impl_->db, "SELECT 1 FROM images WHERE digest = ? LIMIT 1");
        known.bind(1, digest);
        if (!known.executeStep()) return false;
        // `size` last: it may be NULL, which SQLite::bind() cannot bind.
        Statement s(impl_->db, "INSERT INTO node_presence (digest, node, seen_at, size) VALUES (?, ?, ?, ?) "
                               "ON CONFLICT (digest, node) DO UPDATE SET size = coalesce(excluded.size, size), "
                               "seen_at = excluded.seen_at");
        SQLite::bind(s, digest, node, format_timestamp(at));
        bind_optional(s, 4, size);
        s.exec();
        impl_->refresh_listing();
        if (transaction) transaction->commit();
        return true;
    });
}

}  // namespace rspcat
