// A program outside rspcat that uses an installed rspcat (or rspcat as a subproject) the way a
// user's project would: it ingests the sample registry history through the C++ API and prints a
// few facts about it that tests/consumer/expected.txt states, worked out by hand from the data.
// Usage: rspcat-consumer HISTORY.tsv [CATALOG]  (CATALOG: a file to write; default in memory)
#include <cstdint>
#include <exception>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

#include "rspcat/catalog.hpp"
#include "rspcat/registry.hpp"
#include "rspcat/version.hpp"

namespace {

int run(const std::string& history_path, const std::string& catalog_path) {
    std::ifstream history(history_path, std::ios::binary);
    if (!history) {
        std::cerr << "rspcat-consumer: cannot read " << history_path << "\n";
        return 1;
    }
    rspcat::TsvListingReader reader(history, history_path);
    if (!reader.is_history()) {
        std::cerr << "rspcat-consumer: " << history_path << " has no snapshot_at column\n";
        return 1;
    }

    const rspcat::RepositoryName lab{"docker.io", "lsstsqre/sciplat-lab"};
    rspcat::IngestSpec spec{lab, {"recommended", "latest_weekly", "latest_daily", "latest_release"}, {}, history_path,
                            false};
    rspcat::Catalog catalog(catalog_path);
    rspcat::Catalog::Writer writer = catalog.writer();
    std::int64_t snapshots = 0, rows = 0;
    std::optional<rspcat::Timestamp> newest;
    std::int64_t newest_tags = 0;
    while (const auto at = reader.next_snapshot()) {
        spec.taken_at = *at;
        const rspcat::IngestSummary summary = writer.ingest(spec, [&] { return reader.next_row(); });
        ++snapshots;
        rows += summary.rows;
        newest = *at;
        newest_tags = summary.rows;
    }
    writer.commit();

    std::cout << "rspcat " << RSPCAT_VERSION_STRING << "\n";
    std::cout << "snapshots " << snapshots << ", rows " << rows << "\n";
    if (!newest) return 1;

    const rspcat::CollectionSpec now{lab};
    const auto generic = catalog.images(now);
    const auto all = catalog.images(now, {.hide_arch_specific = false});
    std::cout << "newest " << rspcat::format_timestamp(*newest) << ": " << newest_tags << " tags, " << all.size()
              << " images, " << generic.size() << " without the architecture-specific ones\n";

    if (const auto recommended = catalog.image_for_tag(now, "recommended")) {
        std::cout << "recommended: " << recommended->alias_target.value_or("(none)") << ", "
                  << recommended->tag.display_name << "\n";
    } else {
        std::cout << "recommended: (missing)\n";
    }
    for (const auto& [name, type] : {std::pair{"release", rspcat::ImageType::release},
                                     std::pair{"weekly", rspcat::ImageType::weekly},
                                     std::pair{"daily", rspcat::ImageType::daily}}) {
        const auto image = catalog.latest(now, type);
        std::cout << "latest " << name << ": " << (image ? image->tag.tag : "(none)") << "\n";
    }

    // Something of librspcat-registry too, so that its link line is tried.
    const auto url = rspcat::registry::parse_base_url("https://registry.example.org:5000");
    std::cout << "registry " << (url ? url->authority : "(not a URL)") << "\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || argc > 3) {
        std::cerr << "usage: rspcat-consumer HISTORY.tsv [CATALOG]\n";
        return 2;
    }
    try {
        return run(argv[1], argc == 3 ? argv[2] : ":memory:");
    } catch (const std::exception& e) {
        std::cerr << "rspcat-consumer: " << e.what() << "\n";
        return 1;
    }
}
