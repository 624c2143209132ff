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
    defaults.annotatable = {"unmapped-write"};
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

TEST_CASE(
    "hook settings: the host file says what annotations may choose, and where storage "
    "files are",
    "[oci][hook_settings]") {
    std::vector<std::string> errors;
    const HookSettings settings = parse_hook_config(
        "annotations storage-passwd,unmapped-read\n"
        "storage-dir /etc/idshift/storage\n"
        "annotations runtime-dir\n"
        "storage-dir relative/dir\n",
        "hook.conf", errors);
    CHECK(settings.annotatable ==
          std::set<std::string>{"storage-passwd", "unmapped-read", "runtime-dir"});
    CHECK(errors == std::vector<std::string>{
                        "hook.conf:3: annotations: 'runtime-dir' is not a setting a container may "
                        "choose",
                        "hook.conf:4: storage-dir must be absolute"});
}

TEST_CASE("hook settings: by default an annotation chooses nothing but the volumes",
          "[oci][hook_settings]") {
    std::vector<std::string> errors;
    HookSettings defaults;
    defaults.storage_passwd = "/etc/s/passwd";
    const HookSettings settings = apply_annotations(defaults,
                                                    {{"io.idshift.storage-passwd", "/etc/shadow"},
                                                     {"io.idshift.unmapped-write", "squash:0"},
                                                     {"io.idshift.mount-options", "dev"},
                                                     {"io.idshift.volumes", "/data"}},
                                                    errors);
    CHECK(settings.volumes == std::vector<std::string>{"/data"});
    CHECK(settings.storage_passwd == "/etc/s/passwd");
    CHECK(settings.unmapped_write == "deny");
    CHECK(settings.mount_options.empty());
    CHECK(errors ==
          std::vector<std::string>{
              "annotation io.idshift.mount-options: this host does not let containers choose "
              "mount-options (see 'annotations' in /etc/idshift/oci-hook.conf)",
              "annotation io.idshift.storage-passwd: this host does not let containers choose "
              "storage-passwd (see 'annotations' in /etc/idshift/oci-hook.conf)",
              "annotation io.idshift.unmapped-write: this host does not let containers choose "
              "unmapped-write (see 'annotations' in /etc/idshift/oci-hook.conf)"});
}

TEST_CASE(
    "hook settings: an annotation names a storage file of the host's storage-dir, never a "
    "path",
    "[oci][hook_settings]") {
    HookSettings defaults;
    defaults.annotatable = {"storage-passwd", "storage-group"};
    defaults.storage_dir = "/etc/idshift/storage";
    std::vector<std::string> errors;
    const HookSettings chosen = apply_annotations(defaults,
                                                  {{"io.idshift.storage-passwd", "tenant-a.passwd"},
                                                   {"io.idshift.storage-group", "tenant-a.group"}},
                                                  errors);
    CHECK(errors.empty());
    CHECK(chosen.storage_passwd == "/etc/idshift/storage/tenant-a.passwd");
    CHECK(chosen.storage_group == "/etc/idshift/storage/tenant-a.group");

    for (const char* hostile : {"/etc/shadow", "../../shadow", "..", ".hidden", "a/b"}) {
        errors.clear();
        const HookSettings refused =
            apply_annotations(defaults, {{"io.idshift.storage-passwd", hostile}}, errors);
        CHECK_FALSE(refused.storage_passwd.has_value());
        CHECK(errors == std::vector<std::string>{"annotation io.idshift.storage-passwd: '" +
                                                 std::string(hostile) +
                                                 "' is not a file name in /etc/idshift/storage"});
    }
    defaults.storage_dir.reset();
    errors.clear();
    apply_annotations(defaults, {{"io.idshift.storage-group", "tenant-a.group"}}, errors);
    CHECK(errors == std::vector<std::string>{
                        "annotation io.idshift.storage-group: this host names no storage-dir for "
                        "it to choose from"});
}

TEST_CASE("hook settings: an annotation's mount-options add to the host's, and give no right",
          "[oci][hook_settings]") {
    HookSettings defaults;
    defaults.annotatable = {"mount-options"};
    defaults.mount_options = "nosuid";
    std::vector<std::string> errors;
    const HookSettings added = apply_annotations(
        defaults, {{"io.idshift.mount-options", "cache=none,passthrough=off,ro,noexec"}}, errors);
    CHECK(errors.empty());
    CHECK(added.mount_options == "nosuid,cache=none,passthrough=off,ro,noexec");

    for (const char* hostile : {"dev", "suid", "exec", "allow_idmap=on", "map_owner_check=off",
                                "stats_socket=/etc/x", "threads=100000", "rw", "fsname=x"}) {
        errors.clear();
        const HookSettings refused = apply_annotations(
            defaults, {{"io.idshift.mount-options", std::string("cache=none,") + hostile}}, errors);
        CHECK(refused.mount_options == "nosuid");
        CHECK(errors == std::vector<std::string>{"annotation io.idshift.mount-options: "
                                                 "mount-options cannot set '" +
                                                 std::string(hostile) +
                                                 "' (a container may only tune caching or give "
                                                 "up rights)"});
    }
    errors.clear();
    apply_annotations(defaults, {{"io.idshift.mount-options", "map=/x"}}, errors);
    CHECK(errors == std::vector<std::string>{
                        "annotation io.idshift.mount-options: mount-options cannot set map= (the "
                        "map is built from the image)"});
}

}  // namespace idshift::oci
