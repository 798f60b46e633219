// A short program on the rspcat C++ API: build a catalog in memory from a listing, then ask it
// what `recommended` points to and what the menu shows. Built and run by the tests. Every error
// the library reports is an rspcat::Error, whose kind() says what went wrong.
#include <iostream>
#include <sstream>

#include "rspcat/catalog.hpp"

namespace {

int run() {
    using namespace rspcat;

    // A registry listing, newest first, as `rspcat ingest` reads it: tag, digest, size.
    std::istringstream listing(
        "recommended\tsha256:1111111111111111111111111111111111111111111111111111111111111111\n"
        "w_2025_22\tsha256:1111111111111111111111111111111111111111111111111111111111111111\t9000000000\n"
        "w_2025_21\tsha256:2222222222222222222222222222222222222222222222222222222222222222\t8900000000\n"
        "r29_1_1\tsha256:3333333333333333333333333333333333333333333333333333333333333333\t9500000000\n");
    TsvListingReader reader(listing, "example");

    Catalog catalog(":memory:");
    const IngestSpec spec{{"docker.io", "lsstsqre/sciplat-lab"}, {"recommended"},
                          *parse_timestamp("2025-06-05T12:00:00Z"), "example", false};
    const IngestSummary summary = catalog.ingest(spec, [&] { return reader.next_row(); });
    std::cout << "ingested " << summary.rows << " tags\n";

    const CollectionSpec lab{RepositoryName{"docker.io", "lsstsqre/sciplat-lab"}, std::nullopt};
    if (const auto recommended = catalog.image_for_tag(lab, "recommended")) {
        std::cout << "recommended is " << recommended->alias_target.value_or("?") << ": "
                  << recommended->tag.display_name << "\n";
    }
    for (const Image& image : catalog.images(lab, {.hide_aliased = true})) {
        std::cout << image.tag.tag << "\t" << image.tag.display_name << "\n";
    }
    return 0;
}

}  // namespace

int main() {
    try {
        return run();
    } catch (const rspcat::Error& e) {
        std::cerr << "catalog_example: " << e.what() << " (" << rspcat::kind_name(e.kind()) << ")\n";
        return 1;
    }
}
