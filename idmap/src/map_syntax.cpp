#include "map_syntax.hpp"

#include <algorithm>
#include <span>

#include "decimal.hpp"
#include "rule_table.hpp"
#include "text_file.hpp"
#include "words.hpp"

namespace idshift::idmap {
namespace {

using Tokens = std::vector<std::string_view>;

// The words of a line once the comment is dropped.
Tokens tokenize(std::string_view line) {
    return split_words(line.substr(0, line.find('#')));
}

std::string joined(std::span<const std::string_view> tokens) {
    std::string text;
    for (std::string_view token : tokens) {
        if (!text.empty()) text += ' ';
        text += token;
    }
    return text;
}

std::string quote(std::string_view token) {
    return "'" + std::string(token) + "'";
}

std::string unexpected(std::string_view keyword, std::string_view takes, std::string_view token) {
    return quote(keyword) + " takes " + std::string(takes) + "; unexpected " + quote(token);
}

// Parses the lines of one map file into a MapSpec, one method per directive.
class SyntaxPass {
  public:
    SyntaxPass(const std::string& file, ParseErrors& errors) : file_(file), errors_(errors) {}

    void line(int line_no, std::string_view text) {
        const Tokens tokens = tokenize(text);
        if (tokens.empty()) return;
        line_ = line_no;
        const std::string_view keyword = tokens.front();
        const std::span<const std::string_view> args(tokens.begin() + 1, tokens.end());
        if (keyword == "uid" || keyword == "gid") {
            range(keyword == "uid" ? Kind::uid : Kind::gid, tokens);
        } else if (keyword == "user") {
            name_rule(Kind::uid, tokens);
        } else if (keyword == "group" && args.size() == 1 &&
                   args[0].find('/') != std::string_view::npos) {
            // A group *file* is told from a group *name* by its '/': names cannot contain one.
            database(spec_.group, keyword, args);
        } else if (keyword == "group") {
            name_rule(Kind::gid, tokens);
        } else if (keyword == "passwd") {
            database(spec_.passwd, keyword, args);
        } else if (keyword == "storage-passwd") {
            database(spec_.storage_passwd, keyword, args);
        } else if (keyword == "storage-group") {
            database(spec_.storage_group, keyword, args);
        } else if (keyword == "names") {
            names(args);
        } else if (keyword == "unmapped-read") {
            unmapped_read(args);
        } else if (keyword == "unmapped-write") {
            unmapped_write(args);
        } else {
            error("unknown keyword " + quote(keyword) +
                  " (expected uid, gid, user, group, passwd, storage-passwd, storage-group, names, "
                  "unmapped-read or unmapped-write)");
        }
    }

    MapSpec take() { return std::move(spec_); }

  private:
    void error(std::string message) { errors_.push_back({file_, line_, std::move(message)}); }

    // Records the line of a directive that may appear once; false (after an error) if it did.
    bool first_time(int& seen_at, std::string_view what) {
        if (seen_at != 0) {
            error(quote(what) + " is already given at line " + std::to_string(seen_at));
            return false;
        }
        seen_at = line_;
        return true;
    }

    // uid MOUNT STORAGE [COUNT]
    void range(Kind kind, const Tokens& tokens) {
        const std::string_view keyword = tokens[0];
        if (tokens.size() < 3) {
            return error(quote(keyword) + " needs a mount id and a storage id: " +
                         std::string(keyword) + " MOUNT STORAGE [COUNT]");
        }
        if (tokens.size() > 4) {
            return error(
                unexpected(keyword, "at most three numbers (MOUNT STORAGE COUNT)", tokens[4]));
        }
        std::vector<std::string> problems;
        const auto extent =
            read_extent(kind, tokens[1], tokens[2], tokens.size() == 4 ? tokens[3] : "1", problems);
        for (std::string& problem : problems)
            error(std::move(problem));
        if (!extent) return;
        spec_.rules.push_back({kind, line_, joined(tokens), *extent, {}, {}});
    }

    // user NAME [= STORAGE-NAME], group NAME [= STORAGE-NAME]
    void name_rule(Kind kind, const Tokens& tokens) {
        const std::string_view keyword = tokens[0];
        const std::string text = joined(tokens);
        const std::string_view args = std::string_view(text).substr(keyword.size());
        const std::string form = "NAME [= STORAGE-NAME]";
        if (args.empty()) {
            return error(
                kind == Kind::uid
                    ? "'user' needs a name: user NAME [= STORAGE-NAME]"
                    : "'group' needs a file or a name: group FILE | group NAME [= STORAGE-NAME]");
        }
        if (std::count(args.begin(), args.end(), '=') > 1) {
            return error(quote(keyword) + " takes a single '=': " + std::string(keyword) + " " +
                         form);
        }
        const std::size_t equals = args.find('=');
        const Tokens left = tokenize(args.substr(0, equals));
        const Tokens right =
            equals == std::string_view::npos ? Tokens{} : tokenize(args.substr(equals + 1));
        if (left.empty()) return error(quote(keyword) + " needs a name before '='");
        if (left.size() > 1) return error(unexpected(keyword, form, left[1]));
        if (equals != std::string_view::npos && right.empty()) {
            return error(quote(keyword) + " needs a storage name after '='");
        }
        if (right.size() > 1) return error(unexpected(keyword, form, right[1]));
        const std::string mount(left[0]);
        const std::string storage = right.empty() ? mount : std::string(right[0]);
        spec_.rules.push_back({kind, line_, text, std::nullopt, mount, storage});
    }

    // passwd FILE, group FILE, storage-passwd FILE, storage-group FILE
    void database(DatabaseDecl& decl, std::string_view keyword,
                  std::span<const std::string_view> args) {
        if (args.empty()) {
            return error(quote(keyword) + " needs a file: " + std::string(keyword) + " FILE");
        }
        if (args.size() > 1) return error(unexpected(keyword, "one file", args[1]));
        if (!first_time(decl.line, keyword)) return;
        decl.path = resolve_beside(file_, std::string(args[0]));
    }

    // names auto
    void names(std::span<const std::string_view> args) {
        if (args.empty()) return error("'names' needs a mode: names auto");
        if (args[0] != "auto") {
            return error("unknown names mode " + quote(args[0]) +
                         " (the only one is 'names auto')");
        }
        if (args.size() > 1) return error(unexpected("names", "one word (auto)", args[1]));
        first_time(spec_.names_auto_line, "names auto");
    }

    // unmapped-read UID [GID]
    void unmapped_read(std::span<const std::string_view> args) {
        if (args.empty()) return error("'unmapped-read' needs an id: unmapped-read UID [GID]");
        if (args.size() > 2) {
            return error(unexpected("unmapped-read", "at most two ids (UID GID)", args[2]));
        }
        const NumberOrError uid = read_id(args[0], "unmapped-read uid");
        const NumberOrError gid = args.size() == 2 ? read_id(args[1], "unmapped-read gid") : uid;
        if (!uid.value) error(uid.error);
        if (args.size() == 2 && !gid.value) error(gid.error);
        if (!uid.value || !gid.value) return;
        if (!first_time(spec_.unmapped_read_line, "unmapped-read")) return;
        spec_.policy.unmapped_read_uid = MountUid{*uid.value};
        spec_.policy.unmapped_read_gid = MountGid{*gid.value};
    }

    // unmapped-write deny | squash:UID[:GID]
    void unmapped_write(std::span<const std::string_view> args) {
        const std::string form = "deny or squash:UID[:GID]";
        if (args.empty()) return error("'unmapped-write' needs a policy: " + form);
        if (args.size() > 1) return error(unexpected("unmapped-write", "one policy", args[1]));
        Policy& policy = spec_.policy;
        if (args[0] == "deny") {
            if (first_time(spec_.unmapped_write_line, "unmapped-write")) {
                policy.unmapped_write = UnmappedWrite::deny;
            }
            return;
        }
        constexpr std::string_view kSquash = "squash:";
        if (!args[0].starts_with(kSquash)) {
            return error("unknown unmapped-write policy " + quote(args[0]) + " (expected " + form +
                         ")");
        }
        const std::string_view ids = args[0].substr(kSquash.size());
        const std::size_t colon = ids.find(':');
        const NumberOrError uid = read_id(ids.substr(0, colon), "squash uid");
        const NumberOrError gid =
            colon == std::string_view::npos ? uid : read_id(ids.substr(colon + 1), "squash gid");
        if (!uid.value) error(uid.error);
        if (colon != std::string_view::npos && !gid.value) error(gid.error);
        if (!uid.value || !gid.value) return;
        if (!first_time(spec_.unmapped_write_line, "unmapped-write")) return;
        policy.unmapped_write = UnmappedWrite::squash;
        policy.squash_uid = StorageUid{*uid.value};
        policy.squash_gid = StorageGid{*gid.value};
    }

    const std::string& file_;
    ParseErrors& errors_;
    int line_ = 0;
    MapSpec spec_;
};

}  // namespace

MapSpec parse_map_syntax(std::string_view text, const std::string& file, ParseErrors& errors) {
    SyntaxPass pass(file, errors);
    int line_no = 0;
    while (!text.empty()) {
        const std::size_t newline = text.find('\n');
        pass.line(++line_no, text.substr(0, newline));
        text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    }
    return pass.take();
}

}  // namespace idshift::idmap
