#pragma once
// The map an image needs on a shared volume: the image's own /etc/passwd and /etc/group joined by
// name with the storage's user database ("names auto"), rendered as a self-contained map file of
// numeric rules. Printed by `idshift map --from-image`; mounted by `idshift oci-hook`.
#include <optional>
#include <string>
#include <vector>

#include "idshift/idmap/name_resolver.hpp"

namespace idshift::oci {

struct ImageMapRequest {
    std::string rootfs;  // the image's root directory, as the host sees it
    // Files naming the storage side; without them storage names resolve through NSS.
    std::optional<std::string> storage_passwd;
    std::optional<std::string> storage_group;
    // The policies in map-file syntax: "UID [GID]" and "deny" | "squash:UID[:GID]".
    std::string unmapped_read = "65534";
    std::string unmapped_write = "deny";
};

struct ImageMap {
    std::optional<std::string> text;  // the map file, or nothing when errors is not empty
    std::vector<std::string> errors;  // each a whole message, naming the file and line involved
};

// Names are joined exactly as `names auto` does (idshift.map(5)): a name in both databases maps
// its image id (mount side) to its storage id; a name on one side only maps nothing, so its ids
// fall to the unmapped policies; of two names with one id the first listed wins. An image without
// etc/passwd or etc/group is an error "image has no /etc/passwd (ROOTFS/etc/passwd: reason)".
ImageMap build_image_map(const ImageMapRequest& request, const idmap::NameResolver& storage_names);

}  // namespace idshift::oci
