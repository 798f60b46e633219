#include "rspcat/json_listing.hpp"

#include <nlohmann/json.hpp>
#include <unordered_map>
#include <vector>

#include "digits.hpp"
#include "input_text.hpp"
#include "json_input.hpp"

namespace rspcat {


namespace {

// Ordered, so that a docker-json object keeps the document's order: the listing order decides
// which image of a digest group is the primary (model.md §3).
using Json = nlohmann::ordered_json;
using Event = Json::parse_event_t;

// One step of a JSON Pointer (RFC 6901): `~` and `/` escaped.
std::string pointer_step(std::string_view key) {
    std::string out = "/";
    for (char c : key) {
        if (c == '~') {
            out += "~0";
        } else if (c == '/') {
            out += "~1";
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::string pointer_step(std::size_t index) { return "/" + std::to_string(index); }

// `a, b,c` → a, b, c; a blank string → nothing.
std::vector<std::string> split_comma_list(std::string_view text) {
    std::vector<std::string> items;
    if (text.find_first_not_of(' ') == std::string_view::npos) return items;
    while (true) {
        const std::size_t comma = text.find(',');
        std::string_view item = text.substr(0, comma);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        items.emplace_back(item);
        if (comma == std::string_view::npos) return items;
        text.remove_prefix(comma + 1);
    }
}

// `HOST/PATH` split at its first slash: the registry and the repository.
std::optional<ListingScope> split_image_name(std::string_view name) {
    const std::size_t slash = name.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == name.size()) return std::nullopt;
    return ListingScope{std::string(name.substr(0, slash)), std::string(name.substr(slash + 1))};
}

// Turns the entries of one document into rows, refusing what is not a listing.
class EntryConverter {
   public:
    EntryConverter(std::string source, JsonListingFormat format, ListingScope scope, std::deque<ListingRow>& rows,
                   std::size_t& skipped)
        : source_(std::move(source)), format_(format), scope_(std::move(scope)), rows_(rows), skipped_(skipped) {}

    // The next document's name in messages, and how many entries came before it (GAR pages):
    // rows are numbered across documents.
    void start_document(std::string source, std::size_t entries_before) {
        source_ = std::move(source);
        entries_before_ = entries_before;
    }

    [[noreturn]] void fail(const std::string& path, const std::string& message) const {
        throw InputError(source_ + ": " + (path.empty() ? "" : path + ": ") + message);
    }

    // One element of the top-level array (gar, gcloud).
    void add_entry(const Json& entry, std::size_t index) {
        const std::string path = pointer_step(index);
        if (!entry.is_object()) fail(path, "expected an object, found " + std::string(entry.type_name()));
        if (format_ == JsonListingFormat::gar) {
            add_gar_entry(entry, path, index);
        } else {
            add_gcloud_entry(entry, path, index);
        }
    }

    // One member of the top-level object (docker-json).
    void add_docker_member(const std::string& tag, const Json& digest, std::size_t index) {
        const std::string path = pointer_step(tag);
        if (!digest.is_string()) fail(path, "expected a digest string, found " + std::string(digest.type_name()));
        add_row(tag, path, digest.get_ref<const std::string&>(), path, std::nullopt, index,
                "member " + std::to_string(index + 1));
    }

   private:
    void add_gar_entry(const Json& entry, const std::string& path, std::size_t index) {
        const std::string& uri = required_string(entry, "uri", path);
        const std::size_t at = uri.rfind('@');
        const auto image = at == std::string::npos ? std::nullopt : split_image_name(std::string_view(uri).substr(0, at));
        if (!image) fail(path + "/uri", detail::quoted(uri) + " is not REGISTRY/REPOSITORY@DIGEST");
        if (image->registry != scope_.registry || image->repository != scope_.repository) {
            ++skipped_;
            return;
        }
        const auto size = optional_size(entry, {"image_size_bytes", "imageSizeBytes"}, path);
        const std::string digest = uri.substr(at + 1);
        const auto tags = entry.find("tags");
        if (tags == entry.end() || tags->is_null()) return;  // an untagged image: nothing to list
        if (!tags->is_array()) fail(path + "/tags", "expected an array of tags, found " + std::string(tags->type_name()));
        for (std::size_t i = 0; i < tags->size(); ++i) {
            const Json& tag = (*tags)[i];
            const std::string tag_path = path + "/tags" + pointer_step(i);
            if (!tag.is_string()) fail(tag_path, "expected a tag string, found " + std::string(tag.type_name()));
            add_row(tag.get_ref<const std::string&>(), tag_path, digest, path + "/uri", size, index, tag_path);
        }
    }

    void add_gcloud_entry(const Json& entry, const std::string& path, std::size_t index) {
        const std::string& package = required_string(entry, "package", path);
        const auto image = split_image_name(package);
        if (!image) fail(path + "/package", detail::quoted(package) + " is not REGISTRY/REPOSITORY");
        if (image->registry != scope_.registry || image->repository != scope_.repository) {
            ++skipped_;
            return;
        }
        const std::string& digest = required_string(entry, "version", path);
        std::optional<std::int64_t> size;
        if (const auto metadata = entry.find("metadata"); metadata != entry.end() && metadata->is_object()) {
            size = optional_size(*metadata, {"imageSizeBytes"}, path + "/metadata");
        }
        const auto tags = entry.find("tags");
        if (tags == entry.end() || tags->is_null()) return;
        if (tags->is_string()) {
            // Older gcloud releases print the tags as one comma-separated string.
            for (const std::string& tag : split_comma_list(tags->get_ref<const std::string&>())) {
                add_row(tag, path + "/tags", digest, path + "/version", size, index, path + "/tags");
            }
            return;
        }
        if (!tags->is_array()) {
            fail(path + "/tags", "expected a list of tags, found " + std::string(tags->type_name()));
        }
        for (std::size_t i = 0; i < tags->size(); ++i) {
            const Json& tag = (*tags)[i];
            const std::string tag_path = path + "/tags" + pointer_step(i);
            if (!tag.is_string()) fail(tag_path, "expected a tag string, found " + std::string(tag.type_name()));
            add_row(tag.get_ref<const std::string&>(), tag_path, digest, path + "/version", size, index, tag_path);
        }
    }

    const std::string& required_string(const Json& entry, const char* key, const std::string& path) const {
        const auto value = entry.find(key);
        if (value == entry.end()) fail(path, std::string("no \"") + key + "\"");
        if (!value->is_string()) fail(path + "/" + key, "expected a string, found " + std::string(value->type_name()));
        return value->get_ref<const std::string&>();
    }

    // The first of `keys` that is present: a whole number of bytes, as a JSON number or (as
    // Google's REST API writes 64-bit integers) a string of digits.
    std::optional<std::int64_t> optional_size(const Json& object, std::initializer_list<const char*> keys,
                                              const std::string& path) const {
        for (const char* key : keys) {
            const auto value = object.find(key);
            if (value == object.end() || value->is_null()) continue;
            if (value->is_number_unsigned()) {
                const auto n = value->get<std::uint64_t>();
                if (n <= static_cast<std::uint64_t>(INT64_MAX)) return static_cast<std::int64_t>(n);
            } else if (value->is_string()) {
                const std::string& text = value->get_ref<const std::string&>();
                if (const auto n = detail::all_digits(text) ? detail::to_int64(text) : std::nullopt) return n;
            }
            fail(path + "/" + key, detail::json_excerpt(*value) + " is not a whole number of bytes");
        }
        return std::nullopt;
    }

    // `first_where` is how a later duplicate of this tag refers to this one.
    void add_row(const std::string& tag, const std::string& tag_path, const std::string& digest,
                 const std::string& digest_path, std::optional<std::int64_t> size, std::size_t index,
                 const std::string& first_where) {
        ListingRow row{tag, digest, size, entries_before_ + index + 1};
        if (const auto problem = row_problem(row)) fail(is_docker_tag(tag) ? digest_path : tag_path, *problem);
        const auto [first, inserted] = first_seen_.emplace(tag, first_where);
        if (!inserted) fail(tag_path, "tag " + detail::quoted(tag) + " is listed twice (first at " + first->second + ")");
        rows_.push_back(std::move(row));
    }

    std::string source_;
    JsonListingFormat format_;
    ListingScope scope_;
    std::deque<ListingRow>& rows_;
    std::size_t& skipped_;
    std::size_t entries_before_ = 0;
    std::unordered_map<std::string, std::string> first_seen_;  // tag → where it was first listed
};

}  // namespace

std::optional<JsonListingFormat> json_listing_format_from_name(std::string_view name) {
    if (name == "gar") return JsonListingFormat::gar;
    if (name == "gcloud") return JsonListingFormat::gcloud;
    if (name == "docker-json") return JsonListingFormat::docker;
    return std::nullopt;
}

namespace {

// Reads one document, handing each top-level entry to `converter`; returns how many there were.
std::size_t read_document(std::istream& in, const std::string& source, EntryConverter& converter, bool wants_array) {
    std::size_t entries = 0;
    std::string key;
    // The parser calls back for every token; each top-level entry is converted as soon as it is
    // complete and then discarded (the callback returns false), so the document is never held
    // whole. Top-level entries are at depth 1.
    auto on_event = [&](int depth, Event event, Json& parsed) -> bool {
        detail::check_json_depth(depth, event);
        if (depth == 0) {
            const bool is_array = event == Event::array_start;
            const bool is_object = event == Event::object_start;
            if (event == Event::array_end || event == Event::object_end) return true;
            if (wants_array ? !is_array : !is_object) {
                converter.fail("", wants_array ? "expected a JSON array of images" : "expected a JSON object of tag: digest");
            }
            return true;
        }
        if (depth != 1) return true;
        if (wants_array) {
            if (event == Event::object_end || event == Event::value || event == Event::array_end) {
                converter.add_entry(parsed, entries++);
                return false;
            }
            return true;
        }
        switch (event) {
            case Event::key:
                key = parsed.get<std::string>();
                return true;
            case Event::value:
            case Event::object_end:
            case Event::array_end:
                converter.add_docker_member(key, parsed, entries++);
                return false;
            default:
                return true;
        }
    };
    try {
        [[maybe_unused]] const Json emptied = Json::parse(in, on_event);
    } catch (const Json::exception& e) {
        // Not only parse_error: a number too large for a double (`29e8456`) is out_of_range,
        // which escaped as nlohmann's own exception (found by fuzz_json_listing).
        throw InputError(source + ": " + detail::invalid_json(e).what());
    } catch (const detail::JsonInputError& e) {
        throw InputError(source + ": " + e.what());
    }
    if (in.bad()) throw InputError(source + ": read error");
    return entries;
}

}  // namespace

JsonListingReader::JsonListingReader(std::istream& in, std::string source, JsonListingFormat format,
                                     ListingScope scope) {
    EntryConverter converter(source, format, std::move(scope), rows_, skipped_);
    read_document(in, source, converter, format != JsonListingFormat::docker);
}

struct GarPagesReader::Impl {
    explicit Impl(ListingScope scope) : converter("", JsonListingFormat::gar, std::move(scope), rows, skipped) {}
    std::deque<ListingRow> rows;
    std::size_t skipped = 0;
    std::size_t entries = 0;
    EntryConverter converter;
};

GarPagesReader::GarPagesReader(ListingScope scope) : impl_(std::make_unique<Impl>(std::move(scope))) {}
GarPagesReader::~GarPagesReader() = default;

void GarPagesReader::add_page(std::istream& in, const std::string& source) {
    impl_->converter.start_document(source, impl_->entries);
    impl_->entries += read_document(in, source, impl_->converter, true);
}

std::vector<ListingRow> GarPagesReader::take_rows() {
    std::vector<ListingRow> rows(std::make_move_iterator(impl_->rows.begin()), std::make_move_iterator(impl_->rows.end()));
    impl_->rows.clear();
    return rows;
}

std::size_t GarPagesReader::skipped_entries() const { return impl_->skipped; }

std::optional<ListingRow> JsonListingReader::next_row() {
    if (rows_.empty()) return std::nullopt;
    ListingRow row = std::move(rows_.front());
    rows_.pop_front();
    return row;
}

}  // namespace rspcat
