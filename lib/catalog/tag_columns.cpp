#include "tag_columns.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <stdexcept>
#include <type_traits>

#include "rspcat/tag.hpp"

namespace rspcat::detail {

namespace {

// Each derived column: its name, which is also its parameter's name after the ':'.
#define RSPCAT_TAG_COLUMNS(X)                                                                                     \
    X(parse) X(image_type) X(type_priority) X(display_name) X(version) X(version_major) X(version_minor)          \
    X(version_patch) X(version_prerelease) X(prerelease_key) X(base) X(cycle) X(cycle_build) X(rsp_build)         \
    X(architecture) X(extra) X(date) X(alias_title)

// Each column as `<name><op><before><name>`, separated by `between`: `:parse`, `parse = :parse`.
std::string join(const char* before, const char* op, const char* between = ", ") {
    std::string out;
    auto add = [&](const char* name) {
        if (!out.empty()) out += between;
        if (*op) out += std::string(name) + op;
        out += std::string(before) + name;
    };
#define RSPCAT_ADD(name) add(#name);
    RSPCAT_TAG_COLUMNS(RSPCAT_ADD)
#undef RSPCAT_ADD
    return out;
}

// A value as SQL would write it, for messages: 'text', 42, NULL, X'0A'. Bytes that are not
// printable ASCII are shown as '?', and long values are cut.
std::string shown(const std::optional<std::string>& text, bool blob = false) {
    if (!text) return "NULL";
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out = blob ? "X'" : "'";
    for (const char c : text->substr(0, 80)) {
        const auto byte = static_cast<unsigned char>(c);
        if (blob) {
            out.append({hex[byte >> 4], hex[byte & 15]});
        } else {
            out += byte >= 0x20 && byte < 0x7f ? c : '?';
        }
    }
    return out + (text->size() > 80 ? "…'" : "'");
}

std::string shown(const std::optional<std::int64_t>& n) { return n ? std::to_string(*n) : "NULL"; }
std::string shown(std::int64_t n) { return std::to_string(n); }
std::string shown(const std::string& text) { return shown(std::optional<std::string>(text)); }

}  // namespace

TagColumns TagColumns::derive(std::string_view text, bool is_alias) {
    const Tag tag = is_alias ? parse_alias_tag(text) : parse_tag(text);
    TagColumns c;
    c.parse = is_alias ? "alias" : "grammar";
    c.image_type = std::string(type_name(tag.type));
    c.type_priority = static_cast<int>(tag.type);
    c.display_name = tag.display_name;
    if (tag.version) {
        c.version = to_string(*tag.version);
        c.version_major = tag.version->major;
        c.version_minor = tag.version->minor;
        c.version_patch = tag.version->patch;
        c.version_prerelease = tag.version->prerelease;
        if (tag.version->prerelease) c.prerelease_key = prerelease_sort_key(*tag.version->prerelease);
    }
    c.base = tag.base;
    c.cycle = tag.cycle;
    c.cycle_build = tag.cycle_build;
    c.rsp_build = tag.rsp_build;
    c.architecture = tag.architecture;
    c.extra = tag.extra;
    if (tag.date) c.date = format_date(*tag.date);
    // nublado titles the base, or the tag when the base is empty.
    c.alias_title = title_case(tag.base && !tag.base->empty() ? *tag.base : text);
    return c;
}

const char* TagColumns::column_list() {
    static const std::string list = join("", "");
    return list.c_str();
}

const char* TagColumns::parameter_list() {
    static const std::string list = join(":", "");
    return list.c_str();
}

const char* TagColumns::assignments() {
    static const std::string list = join(":", " = ");
    return list.c_str();
}

const char* TagColumns::equal_to_parameters() {
    static const std::string list = join(":", " IS ", " AND ");
    return list.c_str();
}

TagColumns TagColumns::read(SQLite::Statement& s, int first) {
    TagColumns c;
    int i = first;
    auto text = [&](const char* name, std::optional<std::string>& out) {
        const SQLite::Column column = s.getColumn(i++);
        if (column.isNull()) return;
        out = column.getString();
        if (column.getType() != SQLITE_TEXT) c.wrong_type.emplace_back(name);
    };
    auto required_text = [&](const char* name, std::string& out) {
        std::optional<std::string> value;
        text(name, value);
        if (!value) c.wrong_type.emplace_back(name);
        out = value.value_or("");
    };
    auto integer = [&](const char* name, std::optional<std::int64_t>& out) {
        const SQLite::Column column = s.getColumn(i++);
        if (column.isNull()) return;
        if (column.getType() == SQLITE_INTEGER) {
            out = column.getInt64();
        } else {
            c.wrong_type.emplace_back(name);
        }
    };
    auto blob = [&](const char* name, std::optional<std::string>& out) {
        const SQLite::Column column = s.getColumn(i++);
        if (column.isNull()) return;
        if (column.getType() != SQLITE_BLOB) c.wrong_type.emplace_back(name);
        out = std::string(static_cast<const char*>(column.getBlob()), static_cast<std::size_t>(column.getBytes()));
    };
    required_text("parse", c.parse);
    required_text("image_type", c.image_type);
    std::optional<std::int64_t> priority;
    integer("type_priority", priority);
    if (!priority && std::find(c.wrong_type.begin(), c.wrong_type.end(), "type_priority") == c.wrong_type.end()) {
        c.wrong_type.emplace_back("type_priority");
    }
    c.type_priority = priority.value_or(-1);
    required_text("display_name", c.display_name);
    text("version", c.version);
    integer("version_major", c.version_major);
    integer("version_minor", c.version_minor);
    integer("version_patch", c.version_patch);
    text("version_prerelease", c.version_prerelease);
    blob("prerelease_key", c.prerelease_key);
    text("base", c.base);
    integer("cycle", c.cycle);
    integer("cycle_build", c.cycle_build);
    integer("rsp_build", c.rsp_build);
    text("architecture", c.architecture);
    text("extra", c.extra);
    text("date", c.date);
    required_text("alias_title", c.alias_title);
    return c;
}

void TagColumns::bind(SQLite::Statement& s, int first) const {
    int i = first;
    auto bind_text = [&](const std::optional<std::string>& value) {
        if (value) {
            s.bind(i++, *value);
        } else {
            s.bind(i++);
        }
    };
    auto bind_integer = [&](const std::optional<std::int64_t>& value) {
        if (value) {
            s.bind(i++, *value);
        } else {
            s.bind(i++);
        }
    };
    s.bind(i++, parse);
    s.bind(i++, image_type);
    s.bind(i++, type_priority);
    s.bind(i++, display_name);
    bind_text(version);
    bind_integer(version_major);
    bind_integer(version_minor);
    bind_integer(version_patch);
    bind_text(version_prerelease);
    if (prerelease_key) {
        s.bind(i++, prerelease_key->data(), static_cast<int>(prerelease_key->size()));
    } else {
        s.bind(i++);
    }
    bind_text(base);
    bind_integer(cycle);
    bind_integer(cycle_build);
    bind_integer(rsp_build);
    bind_text(architecture);
    bind_text(extra);
    bind_text(date);
    s.bind(i++, alias_title);
}

void TagColumns::check_parameters(SQLite::Statement& s, int first) {
    int i = first;
    auto check = [&](const char* name) {
        if (s.getIndex((std::string(":") + name).c_str()) != i++) {
            throw std::logic_error(std::string("tag column parameter :") + name + " is not number " +
                                   std::to_string(i - 1) + " of " + s.getQuery());
        }
    };
#define RSPCAT_CHECK(name) check(#name);
    RSPCAT_TAG_COLUMNS(RSPCAT_CHECK)
#undef RSPCAT_CHECK
}

std::vector<std::string> TagColumns::differences(const TagColumns& derived) const {
    std::vector<std::string> out;
    auto has_wrong_type = [&](const char* name) {
        return std::find(wrong_type.begin(), wrong_type.end(), name) != wrong_type.end();
    };
    auto compare = [&](const char* name, const auto& stored, const auto& wanted, bool blob = false) {
        if (has_wrong_type(name)) {
            out.push_back(std::string(name) + " holds a value of the wrong type");
        } else if (!(stored == wanted)) {
            if constexpr (std::is_same_v<std::decay_t<decltype(stored)>, std::optional<std::string>>) {
                out.push_back(std::string(name) + " is " + shown(stored, blob) + ", the parse gives " +
                              shown(wanted, blob));
            } else {
                out.push_back(std::string(name) + " is " + shown(stored) + ", the parse gives " + shown(wanted));
            }
        }
    };
    // prerelease_key is a BLOB: shown in hex.
#define RSPCAT_COMPARE(name) compare(#name, name, derived.name, std::string_view(#name) == "prerelease_key");
    RSPCAT_TAG_COLUMNS(RSPCAT_COMPARE)
#undef RSPCAT_COMPARE
    return out;
}

}  // namespace rspcat::detail
