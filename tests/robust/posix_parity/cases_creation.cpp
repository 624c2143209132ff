// Creating calls, run by every caller inside the caller's own workspace w/.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>

#include "parity_case.hpp"

namespace idshift::robust {
namespace {

Outcome create(const char* path, int flags, mode_t mode) {
    return from_fd(::open(path, flags | O_CLOEXEC, mode));
}

void add_open_cases(CaseList& list) {
    list.add("open.create", ok(), [] { return create("w/n", O_CREAT | O_WRONLY, 0644); })
        .add("open.create_mode_masked", ok(),
             [] { return create("w/n", O_CREAT | O_WRONLY, 0777); })
        .add("open.create_excl_existing", fails(EEXIST),
             [] { return create("w/f", O_CREAT | O_EXCL | O_WRONLY, 0644); })
        .add("open.create_existing", ok(), [] { return create("w/f", O_CREAT | O_RDWR, 0600); })
        .add("open.missing", fails(ENOENT), [] { return create("w/nope", O_RDONLY, 0); })
        .add("open.dir_for_writing", fails(EISDIR), [] { return create("w/d", O_WRONLY, 0); })
        .add("open.dir_read_write", fails(EISDIR), [] { return create("w/d", O_RDWR, 0); })
        .add("open.dir_read_only", ok(), [] { return create("w/d", O_RDONLY, 0); })
        .add("open.nofollow_on_symlink", fails(ELOOP),
             [] { return create("w/l", O_RDONLY | O_NOFOLLOW, 0); })
        .add("open.nofollow_symlink_in_middle", ok(),
             [] { return create("w/ld/x", O_RDONLY | O_NOFOLLOW, 0); })
        .add("open.directory_flag_on_file", fails(ENOTDIR),
             [] { return create("w/f", O_RDONLY | O_DIRECTORY, 0); })
        .add("open.symlink_loop", fails(ELOOP), [] { return create("w/loop1", O_RDONLY, 0); })
        .add("open.create_through_loop", fails(ELOOP),
             [] { return create("w/loop1", O_CREAT | O_WRONLY, 0644); })
        .add("open.create_through_dangling", ok(),
             [] { return create("w/dangling", O_CREAT | O_WRONLY, 0640); })
        .add("open.create_excl_on_dangling", fails(EEXIST),
             [] { return create("w/dangling", O_CREAT | O_EXCL | O_WRONLY, 0640); })
        .add("open.file_as_directory", fails(ENOTDIR), [] { return create("w/f/x", O_RDONLY, 0); })
        .add("open.truncate", ok(), [] { return create("w/f", O_WRONLY | O_TRUNC, 0); })
        .add("open.create_via_symlinked_dir", ok(),
             [] { return create("w/ld/new", O_CREAT | O_WRONLY, 0644); })
        .add("open.create_trailing_slash", fails(EISDIR),
             [] { return create("w/n/", O_CREAT | O_WRONLY, 0644); })
        .add("open.tmpfile", ok(), [] { return create("w/d", O_TMPFILE | O_RDWR, 0600); })
        .add("open.append", ok(), [] { return write_at("w/f", O_WRONLY | O_APPEND, 0, "tail"); })
        .add("open.write_past_end", ok(), [] { return write_at("w/f", O_WRONLY, 70000, "z"); });
}

void add_mkdir_cases(CaseList& list) {
    list.add("mkdir.new", ok(), [] { return ok_if(::mkdir("w/n", 0755)); })
        .add("mkdir.mode_masked", ok(), [] { return ok_if(::mkdir("w/n", 0777)); })
        .add("mkdir.sticky", ok(), [] { return ok_if(::mkdir("w/n", 01777)); })
        .add("mkdir.setgid_bit_dropped", ok(), [] { return ok_if(::mkdir("w/n", 02775)); })
        .add("mkdir.existing_dir", fails(EEXIST), [] { return ok_if(::mkdir("w/d", 0755)); })
        .add("mkdir.existing_file", fails(EEXIST), [] { return ok_if(::mkdir("w/f", 0755)); })
        .add("mkdir.on_symlink", fails(EEXIST), [] { return ok_if(::mkdir("w/l", 0755)); })
        .add("mkdir.on_dangling_symlink", fails(EEXIST),
             [] { return ok_if(::mkdir("w/dangling", 0755)); })
        .add("mkdir.missing_parent", fails(ENOENT), [] { return ok_if(::mkdir("w/nope/n", 0755)); })
        .add("mkdir.file_as_parent", fails(ENOTDIR), [] { return ok_if(::mkdir("w/f/n", 0755)); })
        .add("mkdir.trailing_slash", ok(), [] { return ok_if(::mkdir("w/n/", 0755)); })
        .add("mkdir.nested", ok(), [] { return ok_if(::mkdir("w/d/n", 0700)); });
}

void add_mknod_cases(CaseList& list) {
    const Outcome device_result = list.is_root() ? ok() : fails(EPERM);
    list.add("mkfifo.new", ok(), [] { return ok_if(::mkfifo("w/n", 0640)); })
        .add("mkfifo.existing", fails(EEXIST), [] { return ok_if(::mkfifo("w/f", 0640)); })
        .add("mkfifo.missing_parent", fails(ENOENT),
             [] { return ok_if(::mkfifo("w/nope/n", 0640)); })
        .add("mknod.regular", ok(), [] { return ok_if(::mknod("w/n", S_IFREG | 0640, 0)); })
        .add("mknod.fifo", ok(), [] { return ok_if(::mknod("w/n", S_IFIFO | 0600, 0)); })
        .add("mknod.socket", ok(), [] { return ok_if(::mknod("w/n", S_IFSOCK | 0755, 0)); })
        .add("mknod.char_device", device_result,
             [] { return ok_if(::mknod("w/n", S_IFCHR | 0600, makedev(1, 3))); })
        .add("mknod.block_device", device_result,
             [] { return ok_if(::mknod("w/n", S_IFBLK | 0600, makedev(7, 200))); })
        .add("mknod.directory_type", fails(EPERM),
             [] { return ok_if(::mknod("w/n", S_IFDIR | 0755, 0)); })
        .add("mknod.existing", fails(EEXIST),
             [] { return ok_if(::mknod("w/f", S_IFREG | 0644, 0)); });
}

void add_symlink_cases(CaseList& list) {
    list.add("symlink.new", ok(), [] { return ok_if(::symlink("f", "w/n")); })
        .add("symlink.dangling_target", ok(), [] { return ok_if(::symlink("../zz", "w/n")); })
        .add("symlink.existing", fails(EEXIST), [] { return ok_if(::symlink("x", "w/f")); })
        .add("symlink.missing_parent", fails(ENOENT),
             [] { return ok_if(::symlink("x", "w/nope/n")); })
        .add("symlink.empty_target", fails(ENOENT), [] { return ok_if(::symlink("", "w/n")); })
        .add("symlink.target_4095_bytes", ok(),
             [] { return ok_if(::symlink(std::string(4095, 't').c_str(), "w/n")); })
        .add("symlink.target_4096_bytes", fails(ENAMETOOLONG),
             [] { return ok_if(::symlink(std::string(4096, 't').c_str(), "w/n")); });
}

void add_link_cases(CaseList& list) {
    list.add("link.file", ok(), [] { return ok_if(::link("w/f", "w/f2")); })
        .add("link.existing_name", fails(EEXIST), [] { return ok_if(::link("w/f", "w/g")); })
        .add("link.directory", fails(EPERM), [] { return ok_if(::link("w/d", "w/d2")); })
        .add("link.missing_source", fails(ENOENT), [] { return ok_if(::link("w/nope", "w/n")); })
        .add("link.missing_parent", fails(ENOENT), [] { return ok_if(::link("w/f", "w/nope/n")); })
        .add("link.symlink_itself", ok(), [] { return ok_if(::link("w/l", "w/l2")); })
        .add("link.into_subdirectory", ok(), [] { return ok_if(::link("w/f", "w/d/f")); })
        .add("link.follow_symlink", ok(),
             [] { return ok_if(::linkat(AT_FDCWD, "w/l", AT_FDCWD, "w/f3", AT_SYMLINK_FOLLOW)); })
        .add(
            "link.third_name", ok(), [] { return ok_if(::link("w/f", "w/d/third")); },
            [](TreeBuilder& tree) { tree.hardlink("w/f", "w/second"); });
}

}  // namespace

std::vector<ParityCase> cases_for_creation(const Caller& caller) {
    CaseList list(caller);
    add_open_cases(list);
    add_mkdir_cases(list);
    add_mknod_cases(list);
    add_symlink_cases(list);
    add_link_cases(list);
    return list.take();
}

}  // namespace idshift::robust
