#include "workload.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "idshift/sys/unique_fd.hpp"
#include "outcome.hpp"

namespace idshift::robust {
namespace {

constexpr std::array<const char*, 14> kOpNames{
    "create_write", "read",  "truncate", "rename", "link",      "unlink", "mkdir",
    "rmdir",        "chmod", "chown",    "xattr",  "stat_list", "fsync",  "fallocate"};

// Errors that overlapping operations legitimately produce: the path was just removed, created,
// filled or turned into a directory, or (for a caller who is not root) belongs to someone else.
// Permission errors are pinned per operation: root is never refused (EACCES), and gets EPERM only
// from link() of a directory; an ordinary caller gets EACCES from any path walk and EPERM only from
// the operations that need ownership (rename/unlink/rmdir in a sticky directory, chmod, chown,
// xattrs, link of another's file).
bool expected_error(int op, int err, bool is_root) {
    switch (err) {
        case ENOENT:
        case EEXIST:
        case ENOTEMPTY:
        case ENOTDIR:
        case EISDIR:
        case ENODATA:
        case EINVAL:  // a directory renamed into itself, RENAME_EXCHANGE odds
            return true;
        case EPERM: {
            const std::string_view name = kOpNames[static_cast<std::size_t>(op)];
            if (is_root) return name == "link";
            return name == "rename" || name == "link" || name == "unlink" || name == "rmdir" ||
                   name == "chmod" || name == "chown" || name == "xattr";
        }
        case EACCES:
            return !is_root;
        default:
            return false;
    }
}

class Worker {
  public:
    Worker(const WorkloadSpec& spec, ThreadSlot& slot, std::uint64_t seed)
        : spec_(spec), slot_(slot), random_(seed), is_root_(spec.caller->uid == 0) {}

    void run() {
        while (std::chrono::steady_clock::now() < spec_.deadline) {
            const int op = static_cast<int>(below(kOpNames.size()));
            slot_.current_op = op;
            const Outcome outcome = perform(op);
            slot_.current_op = -1;
            slot_.ops.fetch_add(1, std::memory_order_relaxed);
            if (outcome.err == 0) continue;
            if (expected_error(op, outcome.err, is_root_)) {
                slot_.expected_errors.fetch_add(1, std::memory_order_relaxed);
            } else if (slot_.unexpected_errors.fetch_add(1) < 10) {
                std::fprintf(stderr, "concurrency: uid %u %s: unexpected %s\n", spec_.caller->uid,
                             kOpNames[op], errno_name(outcome.err).c_str());
            }
        }
        slot_.finished = true;
    }

  private:
    std::uint64_t below(std::uint64_t bound) { return random_() % bound; }

    // Three directories of eight names plus eight names at the top: paths overlap constantly.
    std::string path() {
        const std::string name = "n" + std::to_string(below(8));
        const auto dir = below(4);
        const std::string where = dir == 3 ? name : "d" + std::to_string(dir) + "/" + name;
        return (spec_.arena / where).string();
    }
    std::string dir_path() { return (spec_.arena / ("d" + std::to_string(below(3)))).string(); }

    Outcome perform(int op) {
        const std::string p = path();
        switch (op) {
            case 0: {
                const sys::UniqueFd fd(::open(p.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0666));
                if (!fd) return failed(errno);
                std::string bytes(1 + below(16384), static_cast<char>('a' + below(26)));
                return from_rc(::pwrite(fd.get(), bytes.data(), bytes.size(),
                                        static_cast<off_t>(below(65536))));
            }
            case 1: {
                const sys::UniqueFd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
                if (!fd) return failed(errno);
                char buffer[8192];
                return from_rc(
                    ::pread(fd.get(), buffer, sizeof buffer, static_cast<off_t>(below(65536))));
            }
            case 2:
                return from_rc(::truncate(p.c_str(), static_cast<off_t>(below(70000))));
            case 3: {
                const unsigned flags = below(4) == 0   ? RENAME_EXCHANGE
                                       : below(3) == 0 ? RENAME_NOREPLACE
                                                       : 0;
                const std::string from = below(5) == 0 ? dir_path() : p;
                return from_rc(
                    ::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, path().c_str(), flags));
            }
            case 4:
                return from_rc(::link(p.c_str(), path().c_str()));
            case 5:
                return from_rc(::unlink(p.c_str()));
            case 6:
                return from_rc(::mkdir(below(2) == 0 ? dir_path().c_str() : p.c_str(), 0777));
            case 7:
                return from_rc(::rmdir(p.c_str()));
            case 8:
                return from_rc(::chmod(p.c_str(), below(4) == 0 ? 0644 : 0777));
            case 9:
                if (!is_root_) return from_rc(::chown(p.c_str(), spec_.caller->uid, -1));
                return from_rc(::chown(p.c_str(), below(2) == 0 ? 0 : 1000, 1000 + below(3)));
            case 10: {
                if (below(2) == 0) {
                    const std::string value(below(64), 'v');
                    return from_rc(
                        ::setxattr(p.c_str(), "user.race", value.data(), value.size(), 0));
                }
                char value[128];
                return from_rc(::getxattr(p.c_str(), "user.race", value, sizeof value));
            }
            case 11: {
                struct stat st {};
                if (::lstat(p.c_str(), &st) != 0) return failed(errno);
                DIR* dir = ::opendir(dir_path().c_str());
                if (dir == nullptr) return failed(errno);
                while (::readdir(dir) != nullptr) {
                }
                ::closedir(dir);
                return Outcome{};
            }
            case 12: {
                const sys::UniqueFd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
                return fd ? from_rc(::fsync(fd.get())) : failed(errno);
            }
            case 13: {
                const sys::UniqueFd fd(::open(p.c_str(), O_WRONLY | O_CLOEXEC));
                if (!fd) return failed(errno);
                const int mode = below(2) == 0 ? 0 : FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
                return from_rc(::fallocate(fd.get(), mode, static_cast<off_t>(below(65536)),
                                           static_cast<off_t>(1 + below(32768))));
            }
        }
        return failed(ENOSYS);
    }

    const WorkloadSpec& spec_;
    ThreadSlot& slot_;
    std::mt19937_64 random_;
    bool is_root_;
};

}  // namespace

const char* op_name(int op) {
    return op >= 0 && op < static_cast<int>(kOpNames.size()) ? kOpNames[op] : "none";
}

void run_worker_process(const WorkloadSpec& spec, ThreadSlot* slots) {
    const Caller& caller = *spec.caller;
    if (!become(caller)) {
        std::perror("concurrency: switching to the caller");
        ::_exit(3);
    }
    ::umask(0);
    std::vector<std::thread> threads;
    for (int i = 0; i < spec.threads; ++i) {
        threads.emplace_back(
            [&spec, slot = &slots[i], seed = spec.seed + i] { Worker(spec, *slot, seed).run(); });
    }
    for (std::thread& thread : threads)
        thread.join();
    ::_exit(0);
}

}  // namespace idshift::robust
