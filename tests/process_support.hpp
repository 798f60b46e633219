// Child processes that tests start, wait for or kill (fork/exec, no shell), and the content of a
// catalog as text for comparing states. Safe to use from several threads at once.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

namespace rspcat::test {

// A started process with its standard output and error going to files.
class Child {
   public:
    Child(const std::vector<std::string>& argv, const std::string& out_path, const std::string& err_path) {
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        pid_ = fork();
        if (pid_ < 0) throw std::runtime_error("fork failed");
        if (pid_ == 0) {
            // Only async-signal-safe calls between fork and exec.
            const int in = open("/dev/null", O_RDONLY);
            const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (in < 0 || out < 0 || err < 0) _exit(126);
            dup2(in, 0);
            dup2(out, 1);
            dup2(err, 2);
            execv(args[0], args.data());
            _exit(127);
        }
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    ~Child() {
        if (pid_ > 0 && !waited_) {
            kill(pid_, SIGKILL);
            wait();
        }
    }

    void kill_now() { kill(pid_, SIGKILL); }

    // The wait status (see waitpid).
    int wait() {
        if (!waited_) {
            while (waitpid(pid_, &status_, 0) < 0) {
            }
            waited_ = true;
        }
        return status_;
    }

   private:
    pid_t pid_ = -1;
    int status_ = 0;
    bool waited_ = false;
};

inline bool exited_with(int status, int code) { return WIFEXITED(status) && WEXITSTATUS(status) == code; }

// The result of `PRAGMA integrity_check` ("ok" when all is well) of a database file.
inline std::string integrity(const std::string& path) {
    sqlite3* db = nullptr;
    std::string result = "cannot open";
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
        sqlite3_stmt* stmt = nullptr;
        result.clear();
        if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, nullptr) == SQLITE_OK) {
            while (sqlite3_step(stmt) == SQLITE_ROW) result += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
        } else {
            result = sqlite3_errmsg(db);
        }
        sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    return result;
}

// Everything a catalog holds, as text: its schema, user_version and application_id, and every
// row of every table (rows sorted), except snapshots.ingested_at, the wall-clock time of the
// ingest, which differs between runs by design.
inline std::string catalog_content(const std::string& path) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        throw std::runtime_error("cannot open " + path);
    }
    auto rows = [&](const std::string& sql, bool sorted) {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
            throw std::runtime_error(sql + ": " + sqlite3_errmsg(db));
        }
        std::vector<std::string> out;
        while (sqlite3_step(stmt) == SQLITE_ROW) {
            std::string row;
            for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
                if (std::string(sqlite3_column_name(stmt, c)) == "ingested_at") continue;
                const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
                row += sqlite3_column_type(stmt, c) == SQLITE_NULL
                           ? std::string("NULL")
                           : "'" + std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt, c))) + "'";
                row += '|';
            }
            out.push_back(row);
        }
        sqlite3_finalize(stmt);
        if (sorted) std::sort(out.begin(), out.end());
        return out;
    };
    std::string content;
    for (const char* pragma : {"PRAGMA user_version", "PRAGMA application_id"}) content += rows(pragma, false)[0] + "\n";
    for (const auto& entry : rows("SELECT type, name, sql FROM sqlite_schema ORDER BY type, name", false)) {
        content += entry + "\n";
    }
    // Table names come from the schema itself, quoted as identifiers.
    for (const auto& table : rows("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'", true)) {
        const std::string name = table.substr(1, table.size() - 3);  // '…'|
        content += "== " + name + "\n";
        std::string quoted = "\"";
        for (char c : name) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
        for (const auto& row : rows("SELECT * FROM " + quoted + "\"", true)) content += row + "\n";
    }
    sqlite3_close(db);
    return content;
}

}  // namespace rspcat::test
