// The hook's settings: the host file, then the container's annotations over it.
#include "idshift/oci/hook_settings.hpp"

#include <catch2/catch.hpp>

namespace idshift::oci {

TEST_CASE("hook settings: the host file, comments and every key", "[oci][hook_settings]") {
    std::vector<std::string> errors;
    const HookSettings settings = parse_hook_config(
        "# defaults\n"
        "storage-passwd /etc/s/passwd\n"
        "storage-group\t/etc/s/group   # trailing comment\n"
        "\n"
        "unmapped-read 3000 3001\n"
        "unmapped-write squash:5000\n"
        "mount-options cache=none\n"
        "runtime-dir /run/x\n",
        "hook.conf", errors);
    CHECK(errors.empty());
    CHECK(settings.storage_passwd == "/etc/s/passwd");
    CHECK(settings.storage_group == "/etc/s/group");
    CHECK(settings.unmapped_read == "3000 3001");
    CHECK(settings.unmapped_write == "squash:5000");
    CHECK(settings.mount_options == "cache=none");
    CHECK(settings.runtime_dir == "/run/x");
    CHECK(settings.volumes.empty());
}

TEST_CASE("hook settings: errors in the host file name file and line", "[oci][hook_settings]") {
    std::vector<std::string> errors;
    parse_hook_config("volumes /data\nunmapped-read\nmount-options cache=none,map=/x\n",
                      "hook.conf", errors);
    CHECK(errors == std::vector<std::string>{
                        "hook.conf:1: unknown setting 'volumes'",
                        "hook.conf:2: 'unmapped-read' needs a value",
                        "hook.conf:3: mount-options cannot set map= (the map is built from the "
                        "image)"});
}

TEST_CASE("hook settings: annotations override the host file, but not runtime-dir",
          "[oci][hook_settings]") {
    std::vector<std::string> errors;
    HookSettings defaults;
    defaults.storage_passwd = "/etc/s/passwd";
    defaults.unmapped_write = "deny";
    const HookSettings settings = apply_annotations(defaults,
                                                    {{"io.idshift.volumes", "/data,/other"},
                                                     {"io.idshift.unmapped-write", "squash:65534"},
                                                     {"io.idshift.runtime-dir", "/tmp/evil"},
                                                     {"io.idshift.volume", "/x"},
                                                     {"org.example.other", "ignored"}},
                                                    errors);
    CHECK(settings.volumes == std::vector<std::string>{"/data", "/other"});
    CHECK(settings.storage_passwd == "/etc/s/passwd");
    CHECK(settings.unmapped_write == "squash:65534");
    CHECK(settings.runtime_dir == "/run/idshift/oci");
    CHECK(errors == std::vector<std::string>{"unknown annotation io.idshift.runtime-dir",
                                             "unknown annotation io.idshift.volume"});
}

TEST_CASE("hook settings: a relative volume path is refused", "[oci][hook_settings]") {
    std::vector<std::string> errors;
    apply_annotations({}, {{"io.idshift.volumes", "/data,data"}}, errors);
    CHECK(errors == std::vector<std::string>{
                        "annotation io.idshift.volumes: 'data' is not an absolute container path"});
}

}  // namespace idshift::oci
