#include "cli.hpp"

#include <charconv>
#include <optional>
#include <vector>

namespace idshift::daemon {
namespace {

constexpr unsigned kMaxThreads = 1024;

// Mount flags the kernel understands and idshift passes on as they are.
constexpr std::string_view kKernelFlags[] = {
    "suid",       "nosuid",   "exec",        "noexec", "atime", "noatime",
    "nodiratime", "relatime", "strictatime", "sync",   "async", "dirsync",
};

// Splits "-o a,b=c": commas separate options, a backslash escapes the next character.
std::vector<std::string> split_options(std::string_view text) {
    std::vector<std::string> out(1);
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) {
            out.back().push_back(text[++i]);
        } else if (text[i] == ',') {
            out.emplace_back();
        } else {
            out.back().push_back(text[i]);
        }
    }
    return out;
}

std::optional<spdlog::level::level_enum> parse_log_level(std::string_view text) {
    if (text == "trace") return spdlog::level::trace;
    if (text == "debug") return spdlog::level::debug;
    if (text == "info") return spdlog::level::info;
    if (text == "warn") return spdlog::level::warn;
    if (text == "error") return spdlog::level::err;
    return std::nullopt;
}

class OptionParser {
  public:
    explicit OptionParser(Config& config) : config_(config) {}

    void apply(const std::string& option) {
        if (option.empty()) return;  // "-o a,,b" and a trailing comma
        const auto eq = option.find('=');
        const std::string_view key = std::string_view(option).substr(0, eq);
        const std::optional<std::string_view> value =
            eq == std::string::npos ? std::nullopt
                                    : std::optional(std::string_view(option).substr(eq + 1));
        if (key == "map") return set_string(key, value, config_.map_file);
        if (key == "uidmap") return set_string(key, value, config_.uidmap);
        if (key == "gidmap") return set_string(key, value, config_.gidmap);
        if (key == "cache") return set_cache(value);
        if (key == "map_owner_check") return set_map_owner_check(value);
        if (key == "backend") return set_backend(value);
        if (key == "threads") return set_threads(value);
        if (key == "stats_socket") {
            config_.stats_socket = std::string(need_value(key, value, "PATH|none"));
            return;
        }
        if (fusell::kext::is_option(key)) return set_kext(key, value);
        if (key == "fsname") return set_text(key, value, config_.mount.fsname);
        if (key == "subtype") return set_text(key, value, config_.mount.subtype);
        if (key == "allow_other") return set_flag(key, value, config_.mount.allow_other, true);
        if (key == "noallow_other") return set_flag(key, value, config_.mount.allow_other, false);
        if (key == "default_permissions") return no_value(key, value);  // always on
        if (key == "ro") return set_read_only(key, value, true);
        if (key == "rw") return set_read_only(key, value, false);
        if (key == "dev") return set_dev(key, value, true);
        if (key == "nodev") return set_dev(key, value, false);
        for (std::string_view flag : kKernelFlags) {
            if (key == flag) {
                no_value(key, value);
                config_.mount.flags.emplace_back(flag);
                return;
            }
        }
        throw UsageError("unknown mount option '" + option + "'");
    }

  private:
    static void no_value(std::string_view key, const std::optional<std::string_view>& value) {
        if (value) throw UsageError("-o " + std::string(key) + " takes no value");
    }
    static std::string_view need_value(std::string_view key,
                                       const std::optional<std::string_view>& value,
                                       std::string_view what) {
        if (!value || value->empty()) {
            throw UsageError("-o " + std::string(key) + " needs a value (" + std::string(key) +
                             "=" + std::string(what) + ")");
        }
        return *value;
    }
    void set_string(std::string_view key, const std::optional<std::string_view>& value,
                    std::optional<std::string>& target) {
        const std::string_view what = key == "map" ? "FILE" : "M:S:N[:M:S:N...]";
        target = std::string(need_value(key, value, what));
    }
    void set_text(std::string_view key, const std::optional<std::string_view>& value,
                  std::string& target) {
        target = std::string(need_value(key, value, "NAME"));
    }
    void set_flag(std::string_view key, const std::optional<std::string_view>& value, bool& target,
                  bool on) {
        no_value(key, value);
        target = on;
    }
    void set_read_only(std::string_view key, const std::optional<std::string_view>& value,
                       bool on) {
        no_value(key, value);
        config_.fs.read_only = config_.mount.read_only = on;
    }
    void set_dev(std::string_view key, const std::optional<std::string_view>& value, bool on) {
        no_value(key, value);
        config_.fs.dev = config_.mount.dev = on;
    }
    void set_map_owner_check(const std::optional<std::string_view>& value) {
        const std::string_view mode = need_value("map_owner_check", value, "on|off");
        if (mode != "on" && mode != "off") {
            throw UsageError("-o map_owner_check=" + std::string(mode) + ": expected on or off");
        }
        config_.map_trust = mode == "on" ? idmap::FileTrust::checked : idmap::FileTrust::unchecked;
    }
    void set_cache(const std::optional<std::string_view>& value) {
        const std::string_view mode = need_value("cache", value, "none|auto|always");
        if (mode == "none") {
            config_.fs.cache = fusell::CacheMode::none;
        } else if (mode == "auto") {
            config_.fs.cache = fusell::CacheMode::automatic;
        } else if (mode == "always") {
            config_.fs.cache = fusell::CacheMode::always;
        } else {
            throw UsageError("-o cache=" + std::string(mode) + ": expected none, auto or always");
        }
    }
    void set_backend(const std::optional<std::string_view>& value) {
        const std::string_view name = need_value("backend", value, "auto|fuse|kernel");
        if (name == "auto") {
            config_.backend = Backend::automatic;
        } else if (name == "fuse") {
            config_.backend = Backend::fuse;
        } else if (name == "kernel") {
            config_.backend = Backend::kernel;
        } else {
            throw UsageError("-o backend=" + std::string(name) + ": expected auto, fuse or kernel");
        }
    }
    void set_kext(std::string_view key, const std::optional<std::string_view>& value) {
        const std::string_view what = key == "max_stack_depth" ? "1|2" : "on|off";
        const std::optional<std::string> error =
            fusell::kext::apply_option(config_.kext, key, need_value(key, value, what));
        if (error) throw UsageError(*error);
    }
    void set_threads(const std::optional<std::string_view>& value) {
        const std::string_view text = need_value("threads", value, "N");
        unsigned threads = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), threads);
        if (ec != std::errc{} || end != text.data() + text.size() || threads < 1 ||
            threads > kMaxThreads) {
            throw UsageError("-o threads=" + std::string(text) + ": expected a number from 1 to " +
                             std::to_string(kMaxThreads));
        }
        config_.fs.max_threads = threads;
    }

    Config& config_;
};

void check(const Config& config) {
    if (config.source.empty()) throw UsageError("missing SOURCE and MOUNTPOINT");
    if (config.mountpoint.empty()) throw UsageError("missing MOUNTPOINT");
    if (config.map_file && (config.uidmap || config.gidmap)) {
        throw UsageError("-o map= cannot be combined with -o uidmap= or -o gidmap=");
    }
    if (!config.map_file && !config.uidmap && !config.gidmap) {
        throw UsageError("no id map: give -o map=FILE, or -o uidmap=M:S:N and -o gidmap=M:S:N");
    }
}

}  // namespace

CommandLine parse_command_line(std::span<const char* const> args) {
    CommandLine line;
    Config& config = line.config;
    OptionParser options(config);
    std::vector<std::string> positional;
    bool only_positional = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        if (only_positional || arg.empty() || arg[0] != '-' || arg == "-") {
            positional.emplace_back(arg);
        } else if (arg == "--") {
            only_positional = true;
        } else if (arg == "-h" || arg == "--help") {
            line.action = CommandLine::Action::help;
            return line;
        } else if (arg == "-V" || arg == "--version") {
            line.action = CommandLine::Action::version;
            return line;
        } else if (arg == "-f") {
            config.foreground = true;
        } else if (arg == "-d") {
            config.debug = config.foreground = true;
            config.log_level = spdlog::level::debug;
        } else if (arg == "-o" || arg.starts_with("-o")) {
            std::string_view list = arg.substr(2);
            if (list.empty()) {
                if (++i == args.size()) throw UsageError("-o needs a list of options");
                list = args[i];
            }
            for (const auto& option : split_options(list))
                options.apply(option);
        } else if (arg == "--log-level" || arg.starts_with("--log-level=")) {
            std::string_view level = arg.substr(std::string_view("--log-level").size());
            if (level.empty()) {
                if (++i == args.size()) throw UsageError("--log-level needs a level");
                level = args[i];
            } else {
                level.remove_prefix(1);  // '='
            }
            const auto parsed = parse_log_level(level);
            if (!parsed) {
                throw UsageError("--log-level=" + std::string(level) +
                                 ": expected trace, debug, info, warn or error");
            }
            config.log_level = *parsed;
        } else {
            throw UsageError("unknown option '" + std::string(arg) + "'");
        }
    }
    if (positional.size() > 2) {
        throw UsageError("unexpected argument '" + positional[2] + "'");
    }
    if (!positional.empty()) config.source = positional[0];
    if (positional.size() > 1) config.mountpoint = positional[1];
    check(config);
    if (config.mount.fsname.empty()) config.mount.fsname = config.source;
    config.mount.debug = config.debug;
    return line;
}

}  // namespace idshift::daemon
