// The OCI state and config.json as the hook reads them.
#include "idshift/oci/hook_input.hpp"

#include <catch2/catch.hpp>

namespace idshift::oci {

TEST_CASE("oci state: id, pid, bundle and the string annotations", "[oci][hook_input]") {
    const ContainerState state = parse_state(R"({"ociVersion": "1.0", "id": "c1",
        "status": "creating", "pid": 4242, "bundle": "/b",
        "annotations": {"io.idshift.volumes": "/data", "n": 7}})");
    CHECK(state.id == "c1");
    CHECK(state.pid == 4242);
    CHECK(state.bundle == "/b");
    CHECK(state.annotations == std::map<std::string, std::string>{{"io.idshift.volumes", "/data"}});
}

TEST_CASE("oci state: without a pid the hook says which stage it needs", "[oci][hook_input]") {
    CHECK_THROWS_WITH(parse_state(R"({"id": "c1", "bundle": "/b"})"),
                      "container c1: the state has no process id (is the hook registered for the "
                      "createRuntime stage?)");
    CHECK_THROWS_WITH(parse_state("not json"), "the container state is not a JSON object");
    CHECK_THROWS_WITH(parse_state(R"({"pid": 1, "bundle": "/b"})"),
                      "the container state: no string field \"id\"");
}

TEST_CASE("oci config: the root path and the bind mounts", "[oci][hook_input]") {
    const BundleConfig config = parse_bundle_config(R"({"root": {"path": "rootfs"},
        "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
                   {"destination": "/data", "type": "bind", "source": "/srv/a"},
                   {"destination": "/other", "source": "/srv/b", "options": ["rbind", "rw"]}]})",
                                                    "/bundle");
    CHECK(config.root_path == "/bundle/rootfs");
    REQUIRE(config.mounts.size() == 3);
    CHECK_FALSE(config.mounts[0].is_bind());
    CHECK(config.mounts[1].is_bind());
    CHECK(config.mounts[1].source == "/srv/a");
    CHECK(config.mounts[2].is_bind());
    CHECK(config.mounts[2].options == std::vector<std::string>{"rbind", "rw"});
    CHECK_THROWS_WITH(parse_bundle_config("{}", "/bundle"), "config.json: no \"root\"");
}

}  // namespace idshift::oci
