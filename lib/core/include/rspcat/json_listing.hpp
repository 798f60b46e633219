// Registry listings that arrive as JSON documents: Google Artifact Registry `DockerImage`
// objects, `gcloud artifacts docker images list --include-tags --format=json` output, and a
// plain tag → digest object. Each becomes ListingRows in the order the document lists them.
#pragma once

#include <cstddef>
#include <deque>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rspcat/export.hpp"
#include "rspcat/listing.hpp"

namespace rspcat {

enum class JsonListingFormat {
    gar,     // [{"uri": "HOST/PATH/IMAGE@sha256:…", "tags": […], "image_size_bytes": N, …}, …]
    gcloud,  // [{"package": "HOST/PATH/IMAGE", "version": "sha256:…", "tags": "a,b" or […], …}, …]
    docker,  // {"TAG": "sha256:…", …}
};

// `gar`, `gcloud`, `docker-json`.
RSPCAT_API std::optional<JsonListingFormat> json_listing_format_from_name(std::string_view name);

// The image a listing is read for. GAR and gcloud documents name every entry's registry and
// repository; entries of other images are skipped. A docker-json object names none.
struct ListingScope {
    std::string registry;
    std::string repository;
};

class RSPCAT_API JsonListingReader {
   public:
    // Reads the whole document now, one entry at a time: each entry is turned into rows and then
    // dropped, so memory grows with the rows, not with the document. Throws InputError naming
    // `source` and the JSON path (`/3/tags/1`) of what is wrong.
    JsonListingReader(std::istream& in, std::string source, JsonListingFormat format, ListingScope scope);

    // The next row, in document order (a GAR image with several tags gives one row per tag, in
    // the order of its tags), or nullopt at the end.
    std::optional<ListingRow> next_row();

    // Entries that named another image than the scope's.
    std::size_t skipped_entries() const { return skipped_; }

   private:
    std::deque<ListingRow> rows_;
    std::size_t skipped_ = 0;
};

// GAR DockerImage objects that arrive in several documents, as the pages of the Artifact
// Registry API's `dockerImages.list` do: each page is converted exactly as JsonListingReader
// converts a `gar` document, and the pages together as if they were one (rows numbered across
// pages, a tag listed on two pages refused).
class RSPCAT_API GarPagesReader {
   public:
    explicit GarPagesReader(ListingScope scope);
    ~GarPagesReader();
    GarPagesReader(const GarPagesReader&) = delete;
    GarPagesReader& operator=(const GarPagesReader&) = delete;

    // One page's JSON array of DockerImage objects. Throws InputError naming `source` and the
    // JSON path within the page.
    void add_page(std::istream& in, const std::string& source);

    // The rows of the pages added so far, in order; they are no longer held afterwards.
    std::vector<ListingRow> take_rows();

    // Entries that named another image than the scope's.
    std::size_t skipped_entries() const;

   private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace rspcat
