// Policies as operators hold them (issue 14 §3), through the real rspcat: what `--policy` reads
// (files, standard input, a policy inside a deployment's values file) and what it refuses, with
// the exit status and the message; and what `filter --invert` is not.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "test_support.hpp"

using nlohmann::json;
using namespace rspcat::test;

namespace {

std::string digest(char c) { return "sha256:" + std::string(64, c); }

// A small catalog at 2026-08-06 on which the idfprod policy keeps some of each type: it drops
// r28_0_0 (cutoffVersion 29.0.0), which `recommended` points to, and exp_w_2026_01_x (older
// than 3 weeks).
struct PolicyCatalog {
    TempDir dir;
    std::string db = dir.file("c.db");
    std::string idfprod = data_path("policies/idfprod.yaml");
    std::string values = source_path("tests/policies/values-idfprod.yaml");

    PolicyCatalog() {
        write_text(dir.file("l.tsv"), "recommended\t" + digest('a') + "\nr30_0_0\t" + digest('b') + "\t30\nr29_0_0\t" +
                                          digest('c') + "\t29\nr28_0_0\t" + digest('a') + "\t28\nw_2026_32\t" +
                                          digest('d') + "\nw_2026_31\t" + digest('e') + "\nd_2026_08_06\t" +
                                          digest('f') + "\nexp_w_2026_01_x\t" + digest('9') + "\t9\n");
        const auto ingest = run_rspcat({"--db", db, "ingest", "--registry", "example.org", "--repository", "lab",
                                        "--alias", "recommended", "--at", "2026-08-06", dir.file("l.tsv")});
        INFO(ingest.err);
        REQUIRE(ingest.exit_code == 0);
    }

    // `rspcat COMMAND --policy POLICY ARGS… --at 2026-08-06T12:00:00Z` on the catalog.
    CommandResult run(const std::string& command, const std::string& policy, std::vector<std::string> args = {},
                      const std::string& stdin_file = "/dev/null") const {
        std::vector<std::string> all = {"--db", db, command, "--policy", policy};
        all.insert(all.end(), args.begin(), args.end());
        for (const char* arg : {"--at", "2026-08-06T12:00:00Z"}) all.emplace_back(arg);
        return run_rspcat(all, stdin_file);
    }

    // What idfprod.yaml gives, to compare other ways of naming the same policy with.
    std::string expected(const std::string& command, std::vector<std::string> args = {"--format", "json"}) const {
        const auto result = run(command, idfprod, args);
        INFO(result.err);
        REQUIRE(result.exit_code == 0);
        return result.out;
    }
};

}  // namespace

TEST_CASE("rspcat refuses a policy that is a directory, empty, only comments or not a mapping", "[cli][policy]") {
    // Before: a directory and an empty YAML file read as "keep everything", exit 0, and prune
    // planned nothing; a `null` document did the same.
    PolicyCatalog c;
    write_text(c.dir.file("empty.yaml"), "");
    write_text(c.dir.file("empty.json"), "");
    write_text(c.dir.file("comments.yaml"), "# dropdownMenu for idfprod\n#weekly:\n#  number: 78\n");
    write_text(c.dir.file("null.yaml"), "~\n");
    write_text(c.dir.file("null.json"), "null\n");
    write_text(c.dir.file("list.yaml"), "- weekly\n- daily\n");
    struct Bad {
        std::string policy, message;
    };
    for (const Bad& bad : std::vector<Bad>{
             {c.dir.path().string(), "rspcat: cannot read policy " + c.dir.path().string() + ": Is a directory\n"},
             {c.dir.file("empty.yaml"), "rspcat: " + c.dir.file("empty.yaml") +
                                            ": the document is empty; a policy is a mapping of image types to "
                                            "filters ({} keeps every image)\n"},
             {c.dir.file("empty.json"), "rspcat: " + c.dir.file("empty.json") + ": the document is empty; "},
             {c.dir.file("comments.yaml"), "rspcat: " + c.dir.file("comments.yaml") +
                                               ": the document holds only comments; "},
             {c.dir.file("null.yaml"), "rspcat: " + c.dir.file("null.yaml") +
                                           ": the policy must be a mapping of image types to filters, not null"},
             {c.dir.file("null.json"), "rspcat: " + c.dir.file("null.json") +
                                           ": the policy must be a mapping of image types to filters, not null"},
             {c.dir.file("list.yaml"), "rspcat: " + c.dir.file("list.yaml") +
                                           ": the policy must be a mapping of image types to filters, not a list"},
         }) {
        CAPTURE(bad.policy);
        for (const char* command : {"filter", "prune"}) {
            CAPTURE(command);
            const auto result = c.run(command, bad.policy);
            CHECK(result.exit_code == 1);
            CHECK_THAT(result.err, Catch::StartsWith(bad.message));
            CHECK(result.out.empty());
        }
        const auto menu = run_rspcat({"--db", c.db, "menu", "--recommended", "recommended", "--policy", bad.policy});
        CHECK(menu.exit_code == 1);
        CHECK_THAT(menu.err, Catch::StartsWith(bad.message));
    }
    // An empty mapping is a policy that keeps everything, as before.
    write_text(c.dir.file("all.yaml"), "{}\n");
    CHECK(c.run("filter", c.dir.file("all.yaml")).exit_code == 0);
}

TEST_CASE("rspcat says why a policy file cannot be read", "[cli][policy]") {
    PolicyCatalog c;
    const std::string missing = c.dir.file("idfprod.yaml");
    for (const char* command : {"filter", "prune"}) {
        const auto result = c.run(command, missing);
        CHECK(result.exit_code == 1);
        CHECK(result.err == "rspcat: cannot read policy " + missing + ": No such file or directory\n");
    }
    // An empty name is a usage error naming the option, as for every option that names a file.
    const auto empty = c.run("filter", "");
    CHECK(empty.exit_code == 2);
    CHECK_THAT(empty.err, Catch::Contains("--policy"));
}

TEST_CASE("rspcat refuses keys given twice in YAML and JSON policies, naming the key and where", "[cli][policy]") {
    // Before: YAML kept the first value and JSON the last, so the same policy kept 2 weeklies as
    // YAML and all of them as JSON.
    PolicyCatalog c;
    write_text(c.dir.file("twice.yaml"), "weekly:\n  number: 1\ndaily:\n  number: 1\nweekly:\n  number: 78\n");
    write_text(c.dir.file("twice.json"), "{\"weekly\": {\"number\": 1}, \"daily\": {\"number\": 1},\n"
                                         " \"weekly\": {\"number\": 78}}\n");
    write_text(c.dir.file("number.yaml"), "weekly:\n  number: 1\n  number: 78\n");
    write_text(c.dir.file("number.json"), R"({"weekly": {"number": 1, "number": 78}})");
    struct Bad {
        std::string file, message;
    };
    for (const Bad& bad : std::vector<Bad>{
             {"twice.yaml", ": weekly: given twice (lines 1 and 5)\n"},
             {"twice.json", ": weekly: given twice\n"},
             {"number.yaml", ": weekly.number: given twice (lines 2 and 3)\n"},
             {"number.json", ": weekly.number: given twice\n"},
         }) {
        CAPTURE(bad.file);
        for (const char* command : {"filter", "prune"}) {
            const auto result = c.run(command, c.dir.file(bad.file));
            CHECK(result.exit_code == 1);
            CHECK(result.err == "rspcat: " + c.dir.file(bad.file) + bad.message);
        }
    }
}

TEST_CASE("rspcat reads JSON from a .yaml policy and refuses YAML in a .json one in its own words", "[cli][policy]") {
    PolicyCatalog c;
    write_text(c.dir.file("yaml.json"), read_file(c.idfprod));
    write_text(c.dir.file("json.yaml"), read_file(data_path("policies/idfprod.json")));
    for (const char* command : {"filter", "prune"}) {
        CAPTURE(command);
        const auto yaml_in_json = c.run(command, c.dir.file("yaml.json"));
        CHECK(yaml_in_json.exit_code == 1);
        CHECK(yaml_in_json.err == "rspcat: " + c.dir.file("yaml.json") +
                                      ": not valid JSON at line 1, column 1 (near 'daily:'); the text is YAML, which "
                                      "rspcat reads only from files not named .json\n");
        CHECK_THAT(yaml_in_json.err, !Catch::Contains("json.exception") && !Catch::Contains("parse error"));
        const auto json_in_yaml = c.run(command, c.dir.file("json.yaml"), {"--format", "json"});
        INFO(json_in_yaml.err);
        CHECK(json_in_yaml.exit_code == 0);
        CHECK(json_in_yaml.out == c.expected(command));
    }
    // Text that is neither says where it stops.
    write_text(c.dir.file("cut.json"), "{\"weekly\": {\"number\": 78}\n");
    const auto cut = c.run("filter", c.dir.file("cut.json"));
    CHECK(cut.exit_code == 1);
    CHECK(cut.err == "rspcat: " + c.dir.file("cut.json") +
                         ": not valid JSON at line 2, column 1: the text ends before the document does\n");
}

TEST_CASE("rspcat --policy - reads the policy from standard input", "[cli][policy]") {
    PolicyCatalog c;
    for (const char* command : {"filter", "prune"}) {
        CAPTURE(command);
        for (const std::string& input : {c.idfprod, data_path("policies/idfprod.json")}) {
            CAPTURE(input);
            const auto result = c.run(command, "-", {"--format", "json"}, input);
            INFO(result.err);
            CHECK(result.exit_code == 0);
            CHECK(result.out == c.expected(command));
        }
        // Standard input follows the same rules, and is named in errors.
        const auto empty = c.run(command, "-");
        CHECK(empty.exit_code == 1);
        CHECK_THAT(empty.err, Catch::StartsWith("rspcat: standard input: the document is empty"));
        write_text(c.dir.file("bad.yaml"), "weekly:\n  number: -5\n");
        const auto bad = c.run(command, "-", {}, c.dir.file("bad.yaml"));
        CHECK(bad.exit_code == 1);
        CHECK(bad.err == "rspcat: standard input: weekly.number: -5 is negative\n");
    }
    const auto menu = run_rspcat({"--db", c.db, "menu", "--recommended", "recommended", "--policy", "-", "--at",
                                  "2026-08-06T12:00:00Z", "--format", "json"},
                                 c.idfprod);
    CHECK(menu.exit_code == 0);
    CHECK(json::parse(menu.out).at("dropdown").size() == 6);  // 8 images, less r28_0_0 and exp_w_2026_01_x
}

TEST_CASE("rspcat reads the policy inside a deployment's values file by its key path", "[cli][policy]") {
    PolicyCatalog c;
    const std::string key = "controller.config.dropdownMenu";
    for (const char* command : {"filter", "prune"}) {
        CAPTURE(command);
        const auto by_option = c.run(command, c.values, {"--policy-key", key, "--format", "json"});
        INFO(by_option.err);
        CHECK(by_option.exit_code == 0);
        CHECK(by_option.out == c.expected(command));
        const auto by_hash = c.run(command, c.values + "#" + key, {"--format", "json"});
        INFO(by_hash.err);
        CHECK(by_hash.exit_code == 0);
        CHECK(by_hash.out == c.expected(command));
        const auto from_stdin = c.run(command, "-", {"--policy-key", key, "--format", "json"}, c.values);
        INFO(from_stdin.err);
        CHECK(from_stdin.exit_code == 0);
        CHECK(from_stdin.out == c.expected(command));

        // A key path that leads nowhere names where it stops.
        const auto missing = c.run(command, c.values + "#controller.config.dropdown");
        CHECK(missing.exit_code == 1);
        CHECK(missing.err == "rspcat: " + c.values +
                                 ": no policy at controller.config.dropdown: controller.config has no key 'dropdown' "
                                 "(it has keys dropdownMenu, images, lab)\n");
        const auto scalar = c.run(command, c.values, {"--policy-key", "controller.slackAlerts.dropdownMenu"});
        CHECK(scalar.exit_code == 1);
        CHECK(scalar.err == "rspcat: " + c.values +
                                ": no policy at controller.slackAlerts.dropdownMenu: controller.slackAlerts is true, "
                                "not a mapping\n");
        const auto list = c.run(command, c.values, {"--policy-key", "controller.config.lab.volumes"});
        CHECK(list.exit_code == 1);
        CHECK_THAT(list.err, Catch::StartsWith("rspcat: " + c.values +
                                               ": controller.config.lab.volumes: the policy must be a mapping of "
                                               "image types to filters, not a list"));
        // The values file itself is no policy.
        const auto whole = c.run(command, c.values);
        CHECK(whole.exit_code == 1);
        CHECK_THAT(whole.err, Catch::StartsWith("rspcat: " + c.values + ": controller: unknown key"));
    }
    const auto menu = run_rspcat({"--db", c.db, "menu", "--recommended", "recommended", "--policy", c.values,
                                  "--policy-key", key, "--at", "2026-08-06T12:00:00Z", "--format", "json"});
    CHECK(menu.exit_code == 0);
    CHECK(json::parse(menu.out).at("dropdown").size() == 6);

    // Usage errors: two key paths, a key path without a policy, an empty one.
    const auto both = c.run("filter", c.values + "#" + key, {"--policy-key", key});
    CHECK(both.exit_code == 2);
    CHECK_THAT(both.err, Catch::Contains("--policy-key"));
    CHECK(run_rspcat({"--db", c.db, "menu", "--recommended", "recommended", "--policy-key", key}).exit_code == 2);
    CHECK(c.run("filter", c.values, {"--policy-key", ""}).exit_code == 2);
}

TEST_CASE("rspcat filter --invert says it is not a delete list, and how prune differs", "[cli][policy]") {
    PolicyCatalog c;
    const auto help = run_rspcat({"filter", "--help"});
    CHECK(help.exit_code == 0);
    CHECK_THAT(help.out, Catch::Contains("Not a delete list") && Catch::Contains("prune"));

    // Why: r28_0_0 is not kept, but `recommended` points to its digest. filter --invert lists
    // it; prune protects that digest and deletes only exp_w_2026_01_x's.
    const auto inverted = c.run("filter", c.idfprod, {"--invert", "--format", "json"});
    REQUIRE(inverted.exit_code == 0);
    std::vector<std::string> tags;
    for (const auto& image : json::parse(inverted.out)) tags.push_back(image.at("tag"));
    CHECK(tags == std::vector<std::string>{"r28_0_0", "exp_w_2026_01_x"});
    const auto plan = json::parse(c.expected("prune"));
    REQUIRE(plan.at("delete").size() == 1);
    CHECK(plan.at("delete")[0].at("digest") == digest('9'));
    REQUIRE(plan.at("protected").size() == 1);
    CHECK(plan.at("protected")[0].at("digest") == digest('a'));
    CHECK(plan.at("protected")[0].at("kept_by") == json::array({"recommended"}));
}
