#include "idshift/oci/hook_input.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace idshift::oci {
namespace {

using nlohmann::json;

json parse(std::string_view text, const char* what) {
    json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded() || !value.is_object())
        throw HookError(std::string(what) + " is not a JSON object");
    return value;
}

std::string string_field(const json& object, const char* key, const char* what) {
    const auto it = object.find(key);
    if (it == object.end() || !it->is_string())
        throw HookError(std::string(what) + ": no string field \"" + key + "\"");
    return it->get<std::string>();
}

std::string optional_string(const json& object, const char* key) {
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

bool BundleMount::is_bind() const {
    return type == "bind" || std::any_of(options.begin(), options.end(), [](const auto& option) {
               return option == "bind" || option == "rbind";
           });
}

ContainerState parse_state(std::string_view text) {
    const json state = parse(text, "the container state");
    ContainerState result;
    result.id = string_field(state, "id", "the container state");
    result.bundle = string_field(state, "bundle", "the container state");
    const auto pid = state.find("pid");
    if (pid == state.end() || !pid->is_number_integer() || pid->get<long long>() <= 0 ||
        pid->get<long long>() > std::numeric_limits<int>::max()) {
        throw HookError("container " + result.id +
                        ": the state has no process id (is the hook registered for the "
                        "createRuntime stage?)");
    }
    result.pid = pid->get<int>();
    if (const auto annotations = state.find("annotations");
        annotations != state.end() && annotations->is_object()) {
        for (const auto& [key, value] : annotations->items()) {
            if (value.is_string()) result.annotations.emplace(key, value.get<std::string>());
        }
    }
    return result;
}

BundleConfig parse_bundle_config(std::string_view text, const std::string& bundle) {
    const json config = parse(text, "config.json");
    BundleConfig result;
    const auto root = config.find("root");
    if (root == config.end() || !root->is_object()) throw HookError("config.json: no \"root\"");
    result.root_path = string_field(*root, "path", "config.json root");
    if (!result.root_path.starts_with("/")) result.root_path = bundle + "/" + result.root_path;
    if (const auto mounts = config.find("mounts"); mounts != config.end() && mounts->is_array()) {
        for (const json& mount : *mounts) {
            if (!mount.is_object()) continue;
            BundleMount entry{optional_string(mount, "destination"),
                              optional_string(mount, "source"),
                              optional_string(mount, "type"),
                              {}};
            if (const auto options = mount.find("options");
                options != mount.end() && options->is_array()) {
                for (const json& option : *options) {
                    if (option.is_string()) entry.options.push_back(option.get<std::string>());
                }
            }
            result.mounts.push_back(std::move(entry));
        }
    }
    return result;
}

}  // namespace idshift::oci
