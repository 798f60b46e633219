// Ingest end to end: any bytes as a TSV listing or history file, ingested into an in-memory
// catalog as full snapshots and then once more as a merge, and queried every way the API
// allows. Bad input must be an InputError or a CatalogError, and a listing that ingests must
// list each of its tags exactly once.
#include <algorithm>
#include <set>
#include <sstream>

#include "fuzz_support.hpp"
#include "rspcat/catalog.hpp"

using namespace rspcat;
using rspcat::fuzz::check;

namespace {

const RepositoryName repository{"registry.example", "lab"};

// Reads the rows of the current snapshot (or of the whole plain listing).
std::vector<ListingRow> read_rows(TsvListingReader& reader) {
    std::vector<ListingRow> rows;
    while (auto row = reader.next_row()) rows.push_back(std::move(*row));
    return rows;
}

RowSource source(const std::vector<ListingRow>& rows) {
    return [&rows, next = std::size_t{0}]() mutable -> std::optional<ListingRow> {
        if (next == rows.size()) return std::nullopt;
        return rows[next++];
    };
}

void query_everything(const Catalog& catalog, const std::vector<ListingRow>& last) {
    const CollectionSpec all{repository, std::nullopt};
    const auto images = catalog.images(all, {.hide_arch_specific = false});
    std::set<std::string> tags, listed;
    for (const auto& image : images) tags.insert(image.tag.tag);
    for (const auto& row : last) listed.insert(row.tag);
    check(tags.size() == images.size(), "each tag is listed once");
    check(tags == listed, "the catalog lists the last snapshot's tags");
    // Every query evaluates the listing view over the whole collection, so each run asks a few
    // of each kind rather than everything, to keep the fuzzer's pace.
    check(catalog.images(all, ListOptions{true, true, true}).size() <= images.size(), "options only hide images");
    for (const ImageType type : {ImageType::alias, ImageType::weekly, ImageType::experimental}) {
        (void)catalog.latest(all, type);
    }
    std::set<std::int64_t> cycles;
    for (const auto& image : images) {
        if (image.tag.cycle) cycles.insert(*image.tag.cycle);
    }
    for (std::size_t i = 0; i < std::min<std::size_t>(images.size(), 3); ++i) {
        const Image& image = images[i];
        check(catalog.image_for_digest(all, image.digest).has_value(), "every digest has an image");
        check(catalog.image_for_tag(all, image.tag.tag).has_value(), "every tag has an image");
    }
    if (!cycles.empty()) (void)catalog.images({repository, *cycles.begin()}, {.hide_arch_specific = false});
    (void)catalog.subset(all, SubsetOptions{2, 2, 2, {"recommended", "latest"}, true});
    (void)catalog.subtract(all, all);
}

void ingest(const std::string& text) {
    std::istringstream in(text);
    TsvListingReader reader(in, "fuzz.tsv");
    Catalog catalog(":memory:");
    const std::vector<std::string> aliases = {"recommended", "latest"};
    Timestamp at = *parse_timestamp("2030-01-01");
    std::vector<ListingRow> last;
    if (reader.is_history()) {
        Catalog::Writer writer = catalog.writer();
        while (auto snapshot_at = reader.next_snapshot()) {
            last = read_rows(reader);
            at = *snapshot_at;
            writer.ingest({repository, aliases, at, "fuzz.tsv", false}, source(last));
        }
        writer.commit();
    } else {
        last = read_rows(reader);
        catalog.ingest({repository, aliases, at, "fuzz.tsv", false}, source(last));
    }
    catalog.ingest({repository, {}, at + std::chrono::seconds(1), "fuzz.tsv", true}, source(last));
    query_everything(catalog, last);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        ingest(std::string(reinterpret_cast<const char*>(data), size));
    } catch (const InputError&) {
    } catch (const CatalogError&) {
    }
    return 0;
}
