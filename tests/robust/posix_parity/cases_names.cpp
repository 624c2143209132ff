// Name errors for every call in the suite: a 256-byte component (ENAMETOOLONG; 255 is fine), a
// path longer than PATH_MAX (ENAMETOOLONG), a symlink loop (ELOOP, also past the 40-link limit)
// and a regular file used as a directory (ENOTDIR).
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "parity_case.hpp"

namespace idshift::robust {
namespace {

// Each call under test, applied to one path (and, where it takes two, a fixed valid second one).
struct PathCall {
    const char* name;
    std::function<long(const char*)> call;
};

std::vector<PathCall> path_calls(const Caller& caller) {
    const uid_t uid = caller.uid;
    const gid_t gid = caller.gid;
    return {
        {"open", [](const char* p) { return static_cast<long>(::open(p, O_RDONLY | O_CLOEXEC)); }},
        {"create",
         [](const char* p) {
             return static_cast<long>(::open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
         }},
        {"mkdir", [](const char* p) { return static_cast<long>(::mkdir(p, 0755)); }},
        {"mkfifo", [](const char* p) { return static_cast<long>(::mkfifo(p, 0644)); }},
        {"mknod", [](const char* p) { return static_cast<long>(::mknod(p, S_IFREG | 0644, 0)); }},
        {"symlink", [](const char* p) { return static_cast<long>(::symlink("w/f", p)); }},
        {"link", [](const char* p) { return static_cast<long>(::link("w/f", p)); }},
        {"rename_from", [](const char* p) { return static_cast<long>(::rename(p, "w/n")); }},
        {"rename_to", [](const char* p) { return static_cast<long>(::rename("w/g", p)); }},
        {"unlink", [](const char* p) { return static_cast<long>(::unlink(p)); }},
        {"rmdir", [](const char* p) { return static_cast<long>(::rmdir(p)); }},
        {"chmod", [](const char* p) { return static_cast<long>(::chmod(p, 0600)); }},
        {"chown", [=](const char* p) { return static_cast<long>(::chown(p, uid, gid)); }},
        {"truncate", [](const char* p) { return static_cast<long>(::truncate(p, 1)); }},
        {"utimensat",
         [](const char* p) { return static_cast<long>(::utimensat(AT_FDCWD, p, nullptr, 0)); }},
    };
}

Outcome closing(long rc, const char* call_name) {
    // open and create return descriptors; close them so the result reads as plain success.
    const std::string_view name = call_name;
    if (rc >= 0 && (name == "open" || name == "create")) ::close(static_cast<int>(rc));
    return ok_if(rc);
}

// Which calls treat the path as a missing new name (so that a clean error decides the case).
bool creates(const std::string_view name) {
    return name == "create" || name == "mkdir" || name == "mkfifo" || name == "mknod" ||
           name == "symlink" || name == "link" || name == "rename_to";
}

}  // namespace

std::vector<ParityCase> cases_for_names(const Caller& caller) {
    CaseList list(caller);
    const std::string long_name = "w/" + name_of_length(256);
    const std::string longest_name = "w/" + name_of_length(255);
    const std::string long_path = path_longer_than_path_max("w/f");
    for (const PathCall& entry : path_calls(caller)) {
        const std::string base = entry.name;
        const auto call = entry.call;
        const char* call_name = entry.name;
        list.add(base + ".name_256_bytes", fails(ENAMETOOLONG),
                 [=] { return closing(call(long_name.c_str()), call_name); });
        list.add(base + ".path_over_path_max", fails(ENAMETOOLONG),
                 [=] { return closing(call(long_path.c_str()), call_name); });
        list.add(base + ".symlink_loop_in_path", fails(ELOOP),
                 [=] { return closing(call("w/loop1/x"), call_name); });
        list.add(base + ".file_as_directory", fails(ENOTDIR),
                 [=] { return closing(call("w/f/x"), call_name); });
        if (creates(base)) {
            list.add(base + ".name_255_bytes", ok(),
                     [=] { return closing(call(longest_name.c_str()), call_name); });
        }
    }
    // A path just under PATH_MAX still works.
    std::string near_limit;
    while (near_limit.size() + 3 + 2 < 4095)
        near_limit += "./";
    near_limit += "w/f";
    list.add("open.path_near_path_max", ok(),
             [=] { return from_fd(::open(near_limit.c_str(), O_RDONLY | O_CLOEXEC)); });
    // The kernel follows at most 40 symlinks in one lookup.
    const auto chain = [](int links) {
        return [links](TreeBuilder& tree) {
            for (int i = 0; i < links; ++i) {
                const std::string target = i + 1 < links ? "c" + std::to_string(i + 1) : "f";
                tree.symlink(target, "w/c" + std::to_string(i), Owner{0, 0});
            }
        };
    };
    list.add(
        "open.chain_of_40_symlinks", ok(),
        [] { return from_fd(::open("w/c0", O_RDONLY | O_CLOEXEC)); }, chain(40));
    list.add(
        "open.chain_of_41_symlinks", fails(ELOOP),
        [] { return from_fd(::open("w/c0", O_RDONLY | O_CLOEXEC)); }, chain(41));
    return list.take();
}

}  // namespace idshift::robust
