#pragma once
// A Filesystem on a fresh temporary directory, with a map that shows storage ids 2000..2009 as
// 1000..1009 and keeps 0 as 0. Tests act through the core and check the backing files directly.
#include <sys/stat.h>

#include <memory>
#include <string>
#include <vector>

#include "idshift/fusell/filesystem.hpp"
#include "idshift/idmap/map_holder.hpp"

namespace idshift::fusell::testing {

inline constexpr uid_t kMountUser = 1000;  // mapped to storage kStorageUser
inline constexpr uid_t kStorageUser = 2000;
inline constexpr uid_t kUnmapped = 5000;  // no rule covers it on either side

class FsFixture {
  public:
    explicit FsFixture(FsOptions options = {});
    ~FsFixture();

    // The backing path of `name` (relative to the source directory).
    std::string backing(const std::string& name) const { return dir_ + "/" + name; }
    struct stat backing_stat(const std::string& name) const;
    bool backing_exists(const std::string& name) const;

    Caller caller(uid_t uid, gid_t gid, mode_t umask = 022, std::vector<gid_t> groups = {}) const;
    Caller root() const { return caller(0, 0); }

    // lookup that must succeed.
    fuse_entry_param lookup(const std::string& name, fuse_ino_t parent = FUSE_ROOT_ID);

    Filesystem& fs() { return *fs_; }
    const std::string& dir() const { return dir_; }

  private:
    std::string dir_;
    std::unique_ptr<idmap::MapHolder> maps_;
    std::unique_ptr<Filesystem> fs_;
};

}  // namespace idshift::fusell::testing
