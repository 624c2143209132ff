#pragma once
// Whether a map and the user databases it names must be safe from other users' edits.

namespace idshift::idmap {

// checked (the default): a map or database file that anyone but root or the daemon's own user can
// write, directly or through a directory above it, is refused with an error naming the file and
// the fix. unchecked (-o map_owner_check=off): read as it is; the daemon logs that it is so.
enum class FileTrust { checked, unchecked };

}  // namespace idshift::idmap
