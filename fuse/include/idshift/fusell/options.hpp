#pragma once
// How the filesystem behaves, as plain data filled in by the daemon from the command line.
#include <cstddef>
#include <cstdint>

namespace idshift::fusell {

// -o cache=none|auto|always: how long the kernel may trust what it was told.
//
// Coherence between several idshift mounts of one backing directory (one per container), or with
// processes using the backing directory directly:
//  - none:   attributes and names are asked for on every use, and the page cache of a file is
//            dropped on every open. A change made elsewhere is seen by the next stat or open.
//  - auto:   attributes and names are trusted for 1 s. A file's page cache is dropped on open
//            unless the file is unchanged since its previous open (page_cache_version.hpp), and
//            whenever the kernel sees size or mtime change. A change made elsewhere is seen
//            within 1 s, and data follows close-to-open consistency.
//  - always: attributes and names are trusted for a day, failed lookups are cached too, and the
//            page cache survives opens. Only for backing directories nothing else writes to.
enum class CacheMode { none, automatic, always };

struct FsOptions {
    CacheMode cache = CacheMode::automatic;
    // Upper bound on worker threads of the multi-threaded loop; 0 keeps libfuse's default (10).
    unsigned max_threads = 0;
    // One /dev/fuse fd per worker thread, so replies do not contend on one file.
    bool clone_fd = true;
    // -o ro: the kernel refuses every write with EROFS; the daemon also never opens for writing.
    bool read_only = false;
    // -o dev: device nodes may be created (mknod of S_IFCHR/S_IFBLK) and used. Off, as for any
    // FUSE mount: mknod of a device node fails with EPERM.
    bool dev = false;
    // At most this many O_PATH fds are kept open for nodes that have file handles (see FdCache).
    std::size_t fd_cache_size = 4096;
    // Largest write the kernel may send in one request.
    std::uint32_t max_write = 1U << 20;
    // The volume root is node kVolumeNodeId below a staging directory at node 1 (staged_root.hpp);
    // otherwise it is node 1 itself. Set by the daemon when it mounts staged.
    bool staged_root = false;

    // Seconds the kernel may cache attributes / names.
    double attr_timeout() const noexcept { return timeout(); }
    double entry_timeout() const noexcept { return timeout(); }
    // Seconds a failed lookup may be cached; 0 means not at all.
    double negative_timeout() const noexcept {
        return cache == CacheMode::always ? timeout() : 0.0;
    }
    // Whether a file's page cache survives every new open of it; with `automatic` it survives
    // only an open of an unchanged file, which Filesystem::open decides.
    bool keep_cache() const noexcept { return cache == CacheMode::always; }

  private:
    double timeout() const noexcept {
        switch (cache) {
            case CacheMode::none:
                return 0.0;
            case CacheMode::automatic:
                return 1.0;
            case CacheMode::always:
                return 86400.0;
        }
        return 0.0;
    }
};

}  // namespace idshift::fusell
