#include "manifest_reading.hpp"

#include <openssl/evp.h>

#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <unordered_set>

#include "input_text.hpp"
#include "json_input.hpp"
#include "rspcat/listing.hpp"
#include "rspcat/registry.hpp"

namespace rspcat::registry::detail {

namespace {

using Json = nlohmann::json;

constexpr std::string_view oci_index = "application/vnd.oci.image.index.v1+json";
constexpr std::string_view docker_list = "application/vnd.docker.distribution.manifest.list.v2+json";
constexpr std::string_view oci_manifest = "application/vnd.oci.image.manifest.v1+json";
constexpr std::string_view docker_manifest = "application/vnd.docker.distribution.manifest.v2+json";

Json parse_object(std::string_view body, const char* what) {
    Json parsed;
    try {
        parsed = rspcat::detail::parse_json_input(body);
    } catch (const rspcat::detail::JsonInputError& e) {
        throw std::invalid_argument(std::string(what) + " is not JSON: " + e.what());
    }
    if (!parsed.is_object()) throw std::invalid_argument(std::string(what) + " is not a JSON object");
    return parsed;
}

std::optional<std::string> string_member(const Json& object, const char* key) {
    const auto found = object.find(key);
    if (found == object.end() || !found->is_string()) return std::nullopt;
    return found->get<std::string>();
}

// `{"digest": "sha256:…", "size": N, …}`, as manifests reference blobs and index entries.
BlobReference read_descriptor(const Json& descriptor, const std::string& path) {
    if (!descriptor.is_object()) throw std::invalid_argument(path + " is not an object");
    const auto digest = string_member(descriptor, "digest");
    if (!digest || !is_sha256_digest(*digest)) throw std::invalid_argument(path + "/digest is not a sha256 digest");
    const auto size = descriptor.find("size");
    if (size == descriptor.end() || !size->is_number_integer() || size->get<std::int64_t>() < 0) {
        throw std::invalid_argument(path + "/size is not a byte count");
    }
    return {*digest, size->get<std::int64_t>()};
}

Platform read_platform(const Json& entry, const std::string& path) {
    Platform platform;
    platform.digest = read_descriptor(entry, path).digest;
    const auto described = entry.find("platform");
    if (described == entry.end() || !described->is_object()) return platform;  // os and architecture unknown
    platform.os = string_member(*described, "os").value_or("");
    platform.architecture = string_member(*described, "architecture").value_or("");
    platform.variant = string_member(*described, "variant");
    return platform;
}

const Json& array_member(const Json& object, const char* key) {
    static const Json empty = Json::array();
    const auto found = object.find(key);
    if (found == object.end() || found->is_null()) return empty;
    if (!found->is_array()) throw std::invalid_argument(std::string("/") + key + " is not a list");
    return *found;
}

}  // namespace

ManifestDocument read_manifest(std::string_view body, std::string_view content_type) {
    const Json manifest = parse_object(body, "the manifest");
    ManifestDocument document;
    std::string_view header_type = content_type.substr(0, content_type.find(';'));
    while (header_type.ends_with(' ')) header_type.remove_suffix(1);
    document.media_type = string_member(manifest, "mediaType").value_or(std::string(header_type));
    const std::string_view type = document.media_type;
    if (type == oci_index || type == docker_list) {
        document.is_index = true;
        const Json& entries = array_member(manifest, "manifests");
        for (std::size_t i = 0; i < entries.size(); ++i) {
            document.platforms.push_back(read_platform(entries[i], "/manifests/" + std::to_string(i)));
        }
        return document;
    }
    if (type != oci_manifest && type != docker_manifest) {
        throw std::invalid_argument("media type " + rspcat::detail::quoted(document.media_type) +
                                    " is not an OCI or Docker v2 manifest or index");
    }
    const auto config = manifest.find("config");
    if (config == manifest.end()) throw std::invalid_argument("/config is missing");
    document.config = read_descriptor(*config, "/config");
    const Json& layers = array_member(manifest, "layers");
    for (std::size_t i = 0; i < layers.size(); ++i) {
        document.layers.push_back(read_descriptor(layers[i], "/layers/" + std::to_string(i)));
    }
    return document;
}

std::optional<Timestamp> read_config_created(std::string_view body) {
    const Json config = parse_object(body, "the image config");
    const auto created = string_member(config, "created");
    return created ? parse_timestamp(*created) : std::nullopt;
}

std::int64_t distinct_blob_bytes(const std::vector<ManifestDocument>& documents) {
    std::unordered_set<std::string> counted;
    std::int64_t total = 0;
    auto add = [&](const BlobReference& blob) {
        if (!counted.insert(blob.digest).second) return;
        if (blob.size > std::numeric_limits<std::int64_t>::max() - total) {
            throw std::invalid_argument("the blob sizes add up to more than 2^63 bytes");
        }
        total += blob.size;
    };
    for (const ManifestDocument& document : documents) {
        if (document.config) add(*document.config);
        for (const BlobReference& layer : document.layers) add(layer);
    }
    return total;
}

}  // namespace rspcat::registry::detail

namespace rspcat::registry {

std::string sha256_digest(std::string_view bytes) {
    unsigned char hash[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), hash, &length, EVP_sha256(), nullptr) != 1 || length != 32) {
        throw RegistryError("OpenSSL could not compute a SHA-256 digest");
    }
    static constexpr char hex[] = "0123456789abcdef";
    std::string digest = "sha256:";
    for (unsigned int i = 0; i < length; ++i) {
        digest.push_back(hex[hash[i] >> 4]);
        digest.push_back(hex[hash[i] & 0xf]);
    }
    return digest;
}

}  // namespace rspcat::registry
