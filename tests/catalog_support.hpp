// Catalogs that several tests build the same way.
#pragma once

#include <fstream>

#include "rspcat/catalog.hpp"
#include "test_support.hpp"

namespace rspcat::test {

// An in-memory catalog of the 62-snapshot sample history, with its four alias tags.
inline Catalog history_catalog() {
    Catalog catalog(":memory:");
    std::ifstream file(data_path("sciplat-lab-history.tsv"));
    TsvListingReader reader(file, "history");
    Catalog::Writer writer = catalog.writer();
    IngestSpec spec{{"docker.io", "lsstsqre/sciplat-lab"},
                    {"recommended", "latest_weekly", "latest_daily", "latest_release"}, {}, "history", false};
    while (const auto at = reader.next_snapshot()) {
        spec.taken_at = *at;
        writer.ingest(spec, [&] { return reader.next_row(); });
    }
    writer.commit();
    return catalog;
}

}  // namespace rspcat::test
