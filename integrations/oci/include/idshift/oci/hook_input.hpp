#pragma once
// What an OCI runtime hands a hook: the container state on stdin (runtime-spec "state") and the
// bundle's config.json. Only the fields the idshift hook needs are kept.
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace idshift::oci {

// Input the hook cannot use; what() is the message for the engine's log.
class HookError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct ContainerState {
    std::string id;
    int pid = 0;  // the container's first process, in the host's pid namespace
    std::string bundle;
    std::map<std::string, std::string> annotations;
};

struct BundleMount {
    std::string destination;
    std::string source;
    std::string type;
    std::vector<std::string> options;
    bool is_bind() const;  // type "bind", or a "bind"/"rbind" option (as runc and crun read it)
};

struct BundleConfig {
    std::string root_path;  // absolute: a relative root.path is taken relative to the bundle
    std::vector<BundleMount> mounts;
};

// Throw HookError naming the missing or ill-typed field.
ContainerState parse_state(std::string_view json);
BundleConfig parse_bundle_config(std::string_view json, const std::string& bundle);

}  // namespace idshift::oci
