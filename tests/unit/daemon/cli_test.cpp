#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "cli.hpp"

using namespace idshift::daemon;
using idshift::fusell::CacheMode;

namespace {

CommandLine parse(std::vector<const char*> args) {
    return parse_command_line(args);
}

Config parse_config(std::vector<const char*> args) {
    return parse(args).config;
}

std::string error_of(std::vector<const char*> args) {
    try {
        parse(args);
    } catch (const UsageError& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("the minimal command line: SOURCE MOUNTPOINT -o map=FILE, with the defaults") {
    const Config c = parse_config({"/srv/data", "/mnt/data", "-o", "map=/etc/web.map"});
    CHECK(c.source == "/srv/data");
    CHECK(c.mountpoint == "/mnt/data");
    CHECK(c.map_file == "/etc/web.map");
    CHECK_FALSE(c.uidmap);
    CHECK_FALSE(c.gidmap);
    CHECK_FALSE(c.foreground);
    CHECK_FALSE(c.debug);
    CHECK(c.log_level == spdlog::level::info);
    CHECK(c.fs.cache == CacheMode::automatic);
    CHECK(c.fs.max_threads == 0);
    CHECK_FALSE(c.fs.read_only);
    CHECK_FALSE(c.fs.dev);
    CHECK(c.mount.allow_other);
    CHECK(c.mount.fsname == "/srv/data");
    CHECK(c.mount.subtype == "idshift");
    CHECK(c.mount.flags.empty());
    CHECK(c.mount.to_option_string() ==
          "default_permissions,allow_other,fsname=/srv/data,subtype=idshift");
}

TEST_CASE("options may come before, between or after the paths, as -o X or -oX") {
    const Config c = parse_config({"-omap=m", "src", "-f", "mnt", "-o", "ro"});
    CHECK(c.source == "src");
    CHECK(c.mountpoint == "mnt");
    CHECK(c.map_file == "m");
    CHECK(c.foreground);
    CHECK(c.fs.read_only);
    CHECK(c.mount.read_only);
}

TEST_CASE("option -d means foreground, debug logging and a request trace") {
    const Config c = parse_config({"-d", "s", "m", "-o", "map=x"});
    CHECK(c.debug);
    CHECK(c.foreground);
    CHECK(c.log_level == spdlog::level::debug);
    CHECK(c.mount.debug);
}

TEST_CASE("option --log-level takes every level, as --log-level=L or --log-level L") {
    CHECK(parse_config({"--log-level=trace", "s", "m", "-o", "map=x"}).log_level ==
          spdlog::level::trace);
    CHECK(parse_config({"--log-level", "warn", "s", "m", "-o", "map=x"}).log_level ==
          spdlog::level::warn);
    CHECK(parse_config({"--log-level=error", "s", "m", "-o", "map=x"}).log_level ==
          spdlog::level::err);
    CHECK(parse_config({"--log-level=info", "s", "m", "-o", "map=x"}).log_level ==
          spdlog::level::info);
    CHECK(parse_config({"--log-level=debug", "s", "m", "-o", "map=x"}).log_level ==
          spdlog::level::debug);
    CHECK(error_of({"--log-level=loud", "s", "m", "-o", "map=x"}) ==
          "--log-level=loud: expected trace, debug, info, warn or error");
    CHECK(error_of({"s", "m", "-o", "map=x", "--log-level"}) == "--log-level needs a level");
}

TEST_CASE("options --help and --version win over everything else") {
    CHECK(parse({"--help"}).action == CommandLine::Action::help);
    CHECK(parse({"-h", "--bogus"}).action == CommandLine::Action::help);
    CHECK(parse({"--version"}).action == CommandLine::Action::version);
    CHECK(parse({"-V"}).action == CommandLine::Action::version);
    CHECK(help_text().find("allow_other          let every user use the mount: ON by default") !=
          std::string::npos);
    CHECK(help_text().find("default_permissions  the kernel checks permissions on the mapped ids: "
                           "always ON") != std::string::npos);
    CHECK(version_text().rfind("idshift ", 0) == 0);
}

TEST_CASE("inline maps: uidmap= and gidmap=, each optional") {
    const Config c = parse_config({"s", "m", "-o", "uidmap=0:100000:65536,gidmap=0:100000:65536"});
    CHECK(c.uidmap == "0:100000:65536");
    CHECK(c.gidmap == "0:100000:65536");
    CHECK_FALSE(c.map_file);
    CHECK(parse_config({"s", "m", "-o", "uidmap=0:1:2"}).uidmap == "0:1:2");
}

TEST_CASE("map= and uidmap=/gidmap= exclude each other, and one of them is needed") {
    const std::string exclusive = "-o map= cannot be combined with -o uidmap= or -o gidmap=";
    CHECK(error_of({"s", "m", "-o", "map=f,uidmap=0:1:1"}) == exclusive);
    CHECK(error_of({"s", "m", "-o", "gidmap=0:1:1", "-o", "map=f"}) == exclusive);
    CHECK(error_of({"s", "m"}) ==
          "no id map: give -o map=FILE, or -o uidmap=M:S:N and -o gidmap=M:S:N");
    CHECK(error_of({"s", "m", "-o", "map="}) == "-o map needs a value (map=FILE)");
    CHECK(error_of({"s", "m", "-o", "uidmap"}) ==
          "-o uidmap needs a value (uidmap=M:S:N[:M:S:N...])");
}

TEST_CASE("cache=none|auto|always and nothing else") {
    CHECK(parse_config({"s", "m", "-o", "map=f,cache=none"}).fs.cache == CacheMode::none);
    CHECK(parse_config({"s", "m", "-o", "map=f,cache=auto"}).fs.cache == CacheMode::automatic);
    CHECK(parse_config({"s", "m", "-o", "map=f,cache=always"}).fs.cache == CacheMode::always);
    CHECK(error_of({"s", "m", "-o", "map=f,cache=fast"}) ==
          "-o cache=fast: expected none, auto or always");
    CHECK(error_of({"s", "m", "-o", "map=f,cache"}) ==
          "-o cache needs a value (cache=none|auto|always)");
}

TEST_CASE("backend=auto|fuse|kernel, auto by default, and nothing else") {
    CHECK(parse_config({"s", "m", "-o", "map=f"}).backend == Backend::automatic);
    CHECK(parse_config({"s", "m", "-o", "map=f,backend=auto"}).backend == Backend::automatic);
    CHECK(parse_config({"s", "m", "-o", "map=f,backend=fuse"}).backend == Backend::fuse);
    CHECK(parse_config({"s", "m", "-o", "map=f,backend=kernel"}).backend == Backend::kernel);
    CHECK(parse_config({"s", "m", "-o", "backend=kernel,map=f,backend=fuse"}).backend ==
          Backend::fuse);  // the last one wins, as for every option
    CHECK(error_of({"s", "m", "-o", "map=f,backend=idmapped"}) ==
          "-o backend=idmapped: expected auto, fuse or kernel");
    CHECK(error_of({"s", "m", "-o", "map=f,backend"}) ==
          "-o backend needs a value (backend=auto|fuse|kernel)");
}

TEST_CASE("kernel extras: passthrough and killpriv_v2 on, allow_idmap off, each switchable") {
    const Config defaults = parse_config({"s", "m", "-o", "map=f"});
    CHECK(defaults.kext.passthrough);
    CHECK(defaults.kext.killpriv_v2);
    CHECK_FALSE(defaults.kext.allow_idmap);
    CHECK(defaults.kext.max_stack_depth == 1);
    const Config c = parse_config({"s", "m", "-o",
                                   "map=f,passthrough=off,killpriv_v2=off,allow_idmap=on,"
                                   "max_stack_depth=2"});
    CHECK_FALSE(c.kext.passthrough);
    CHECK_FALSE(c.kext.killpriv_v2);
    CHECK(c.kext.allow_idmap);
    CHECK(c.kext.max_stack_depth == 2);
    // None of them reaches the kernel's mount options.
    CHECK(c.mount.flags.empty());
    CHECK(error_of({"s", "m", "-o", "map=f,passthrough=maybe"}) ==
          "option passthrough: invalid value 'maybe' (expected on or off)");
    CHECK(error_of({"s", "m", "-o", "map=f,allow_idmap"}) ==
          "-o allow_idmap needs a value (allow_idmap=on|off)");
}

TEST_CASE("the cache modes set the kernel's timeouts") {
    idshift::fusell::FsOptions options;
    options.cache = CacheMode::none;
    CHECK(options.attr_timeout() == 0.0);
    CHECK(options.entry_timeout() == 0.0);
    options.cache = CacheMode::automatic;
    CHECK(options.attr_timeout() == 1.0);
    CHECK(options.negative_timeout() == 0.0);
    options.cache = CacheMode::always;
    CHECK(options.attr_timeout() == 86400.0);
    CHECK(options.entry_timeout() == 86400.0);
    CHECK(options.negative_timeout() == 86400.0);
    CHECK(options.keep_cache());
}

TEST_CASE("threads=N takes 1 to 1024") {
    CHECK(parse_config({"s", "m", "-o", "map=f,threads=4"}).fs.max_threads == 4);
    CHECK(parse_config({"s", "m", "-o", "map=f,threads=1024"}).fs.max_threads == 1024);
    const std::string expected = ": expected a number from 1 to 1024";
    CHECK(error_of({"s", "m", "-o", "map=f,threads=0"}) == "-o threads=0" + expected);
    CHECK(error_of({"s", "m", "-o", "map=f,threads=1025"}) == "-o threads=1025" + expected);
    CHECK(error_of({"s", "m", "-o", "map=f,threads=2x"}) == "-o threads=2x" + expected);
    CHECK(error_of({"s", "m", "-o", "map=f,threads=-1"}) == "-o threads=-1" + expected);
}

TEST_CASE("allow_other is on by default, and noallow_other turns it off") {
    CHECK(parse_config({"s", "m", "-o", "map=f"}).mount.allow_other);
    const Config off = parse_config({"s", "m", "-o", "map=f,noallow_other"});
    CHECK_FALSE(off.mount.allow_other);
    CHECK(off.mount.to_option_string() == "default_permissions,fsname=s,subtype=idshift");
    CHECK(parse_config({"s", "m", "-o", "map=f,noallow_other,allow_other"}).mount.allow_other);
    CHECK(parse_config({"s", "m", "-o", "map=f,default_permissions"}).mount.allow_other);
    CHECK(error_of({"s", "m", "-o", "map=f,allow_other=1"}) == "-o allow_other takes no value");
}

TEST_CASE("ro, rw, dev and nodev reach both the kernel and the filesystem") {
    const Config c = parse_config({"s", "m", "-o", "map=f,ro,dev"});
    CHECK(c.fs.read_only);
    CHECK(c.fs.dev);
    CHECK(c.mount.to_option_string() ==
          "default_permissions,allow_other,fsname=s,subtype=idshift,ro,dev");
    const Config back = parse_config({"s", "m", "-o", "map=f,ro,dev,rw,nodev"});
    CHECK_FALSE(back.fs.read_only);
    CHECK_FALSE(back.fs.dev);
}

TEST_CASE("fsname= and subtype= name the mount, and commas in them are escaped for libfuse") {
    const Config c = parse_config({"s", "m", "-o", "map=f,fsname=vol\\,1,subtype=other"});
    CHECK(c.mount.fsname == "vol,1");
    CHECK(c.mount.subtype == "other");
    CHECK(c.mount.to_option_string() ==
          "default_permissions,allow_other,fsname=vol\\,1,subtype=other");
    CHECK(error_of({"s", "m", "-o", "map=f,subtype="}) ==
          "-o subtype needs a value (subtype=NAME)");
}

TEST_CASE("generic mount flags are passed on to the kernel") {
    const Config c = parse_config({"s", "m", "-o", "map=f,nosuid,noexec,noatime,sync,dirsync"});
    CHECK(c.mount.flags ==
          std::vector<std::string>{"nosuid", "noexec", "noatime", "sync", "dirsync"});
    CHECK(c.mount.to_option_string() ==
          "default_permissions,allow_other,fsname=s,subtype=idshift,"
          "nosuid,noexec,noatime,sync,dirsync");
}

TEST_CASE("unknown options are an error naming them, and idshift's own never reach the kernel") {
    CHECK(error_of({"s", "m", "-o", "map=f,bogus"}) == "unknown mount option 'bogus'");
    CHECK(error_of({"s", "m", "-o", "map=f,bogus=1"}) == "unknown mount option 'bogus=1'");
    CHECK(error_of({"s", "m", "-o", "map=f", "-x"}) == "unknown option '-x'");
    CHECK(error_of({"s", "m", "--frobnicate"}) == "unknown option '--frobnicate'");
    const Config c = parse_config({"s", "m", "-o", "map=f,cache=none,threads=3,noallow_other"});
    const std::string kernel = c.mount.to_option_string();
    CHECK(kernel.find("map") == std::string::npos);
    CHECK(kernel.find("cache") == std::string::npos);
    CHECK(kernel.find("threads") == std::string::npos);
}

TEST_CASE("missing or extra paths are errors") {
    CHECK(error_of({"-o", "map=f"}) == "missing SOURCE and MOUNTPOINT");
    CHECK(error_of({"s", "-o", "map=f"}) == "missing MOUNTPOINT");
    CHECK(error_of({"s", "m", "x", "-o", "map=f"}) == "unexpected argument 'x'");
    CHECK(error_of({"s", "m", "-o"}) == "-o needs a list of options");
    const Config dashed = parse_config({"-o", "map=f", "--", "-src", "-mnt"});
    CHECK(dashed.source == "-src");
    CHECK(dashed.mountpoint == "-mnt");
}

TEST_CASE("empty items in an option list are ignored") {
    const Config c = parse_config({"s", "m", "-o", "map=f,,ro,"});
    CHECK(c.map_file == "f");
    CHECK(c.fs.read_only);
}
