// `idshift map --from-image ROOTFS ...`: prints the map `idshift oci-hook` would mount for a
// container of that image, for checking by hand or saving as a map file.
#include <cstdio>
#include <string>
#include <string_view>

#include "idshift/idmap/name_resolver.hpp"
#include "idshift/oci/image_map.hpp"
#include "subcommands.hpp"

namespace idshift::daemon {
namespace {

constexpr std::string_view kUsage =
    "usage: idshift map --from-image ROOTFS [--storage-passwd FILE] [--storage-group FILE]\n"
    "                   [--unmapped-read UID[:GID]] [--unmapped-write deny|squash:UID[:GID]]\n"
    "\n"
    "Prints the id map a container of the image unpacked at ROOTFS gets from idshift oci-hook:\n"
    "the users and groups of ROOTFS/etc/passwd and ROOTFS/etc/group joined by name with the\n"
    "storage's (the given files, else the system's user database), as numeric rules. Save the\n"
    "output and pass it with -o map=FILE to mount the same map by hand.\n"
    "\n"
    "Exit status: 0 map printed; 1 the image or a user database cannot be used; 2 bad usage.\n";

int usage_error(const std::string& message) {
    std::fprintf(stderr, "idshift map: %s\nTry 'idshift map --help'.\n", message.c_str());
    return 2;
}

}  // namespace

int run_map_from_image(std::span<char* const> args) {
    oci::ImageMapRequest request;
    bool have_rootfs = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        if (arg == "-h" || arg == "--help") {
            std::fwrite(kUsage.data(), 1, kUsage.size(), stdout);
            return 0;
        }
        if (i + 1 == args.size()) return usage_error(std::string(arg) + " needs a value");
        const std::string value = args[++i];
        if (arg == "--from-image") {
            request.rootfs = value;
            have_rootfs = true;
        } else if (arg == "--storage-passwd") {
            request.storage_passwd = value;
        } else if (arg == "--storage-group") {
            request.storage_group = value;
        } else if (arg == "--unmapped-read") {
            // The map file separates the two ids with a space; a colon is easier on a command line.
            request.unmapped_read = value;
            if (const auto colon = request.unmapped_read.find(':'); colon != std::string::npos)
                request.unmapped_read[colon] = ' ';
        } else if (arg == "--unmapped-write") {
            request.unmapped_write = value;
        } else {
            return usage_error("unknown argument '" + std::string(arg) + "'");
        }
    }
    if (!have_rootfs) return usage_error("nothing to do: give --from-image ROOTFS");
    const oci::ImageMap map = oci::build_image_map(request, idmap::NssResolver{});
    for (const std::string& error : map.errors)
        std::fprintf(stderr, "idshift map: %s\n", error.c_str());
    if (!map.text) return 1;
    std::fwrite(map.text->data(), 1, map.text->size(), stdout);
    return 0;
}

}  // namespace idshift::daemon
