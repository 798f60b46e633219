// Ingest input in the JSON formats (gar, gcloud, docker-json): the first byte picks the format,
// the rest is the document. The reader either yields valid rows (Docker tags, sha256 digests)
// or throws InputError naming the source; nothing else may escape.
#include <sstream>

#include "fuzz_support.hpp"
#include "rspcat/json_listing.hpp"

using namespace rspcat;
using rspcat::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    constexpr JsonListingFormat formats[] = {JsonListingFormat::gar, JsonListingFormat::gcloud,
                                             JsonListingFormat::docker};
    const JsonListingFormat format = formats[data[0] % 3];
    const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
    std::istringstream in(text);
    try {
        JsonListingReader reader(in, "fuzz.json", format,
                                 {"us-central1-docker.pkg.dev", "rubin-shared-services-71ec/sciplat/sciplat-lab"});
        while (auto row = reader.next_row()) {
            check(is_docker_tag(row->tag), "rows hold Docker tags", text);
            check(is_sha256_digest(row->digest), "rows hold sha256 digests", text);
            check(!row->size || *row->size >= 0, "sizes are not negative", text);
        }
    } catch (const InputError& e) {
        check(std::string(e.what()).rfind("fuzz.json", 0) == 0, "input errors name the source", e.what());
    }
    return 0;
}
