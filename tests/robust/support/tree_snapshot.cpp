#include "tree_snapshot.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>

#include "idshift/sys/unique_fd.hpp"
#include "outcome.hpp"

namespace idshift::robust {
namespace {

// Nothing the suites write comes near this; it only stops a runaway read.
constexpr off_t kContentLimit = 64 << 20;

int read_content(const std::filesystem::path& path, std::string& content) {
    const sys::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd) return errno;
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return errno;
    // Read one byte past the size reported, to see a file longer than its attributes say.
    content.resize(static_cast<std::size_t>(std::min<off_t>(st.st_size, kContentLimit)) + 1);
    std::size_t filled = 0;
    for (;;) {
        if (filled == content.size()) content.resize(content.size() * 2);
        const ssize_t got = ::read(fd.get(), content.data() + filled, content.size() - filled);
        if (got < 0) return errno;
        if (got == 0) break;
        filled += static_cast<std::size_t>(got);
        if (static_cast<off_t>(filled) > kContentLimit) return EFBIG;
    }
    content.resize(filled);
    return 0;
}

int read_entries(const std::filesystem::path& path, std::vector<std::string>& entries) {
    DIR* dir = ::opendir(path.c_str());
    if (dir == nullptr) return errno;
    errno = 0;
    while (const dirent* entry = ::readdir(dir)) {
        const std::string_view name = entry->d_name;
        if (name != "." && name != "..") entries.emplace_back(name);
    }
    const int err = errno;
    ::closedir(dir);
    std::sort(entries.begin(), entries.end());
    return err;
}

// Calls `get` with a small buffer first and with the size it asks for after ERANGE.
template <typename Get>
ssize_t read_sized(std::string& buffer, Get get) {
    buffer.resize(256);
    ssize_t length = get(buffer.data(), buffer.size());
    if (length < 0 && errno == ERANGE) {
        length = get(nullptr, 0);
        if (length < 0) return length;
        buffer.resize(static_cast<std::size_t>(length));
        length = get(buffer.data(), buffer.size());
    }
    if (length >= 0) buffer.resize(static_cast<std::size_t>(length));
    return length;
}

int read_xattrs(const std::filesystem::path& path,
                std::vector<std::pair<std::string, std::string>>& xattrs) {
    std::string names;
    if (read_sized(names, [&](char* buffer, std::size_t size) {
            return ::llistxattr(path.c_str(), buffer, size);
        }) < 0) {
        return errno;
    }
    for (std::size_t start = 0; start < names.size();) {
        const std::size_t end = names.find('\0', start);
        std::string name = names.substr(start, end - start);
        start = end + 1;
        std::string value;
        if (read_sized(value, [&](char* buffer, std::size_t size) {
                return ::lgetxattr(path.c_str(), name.c_str(), buffer, size);
            }) < 0) {
            return errno;
        }
        xattrs.emplace_back(std::move(name), std::move(value));
    }
    std::sort(xattrs.begin(), xattrs.end());
    return 0;
}

std::string join(const std::string& parent, const std::string& name) {
    return parent.empty() ? name : parent + "/" + name;
}

std::string octal(unsigned value) {
    char text[16];
    std::snprintf(text, sizeof text, "%04o", value);
    return text;
}

std::string owner_text(Owner owner) {
    return std::to_string(owner.uid) + ":" + std::to_string(owner.gid);
}

std::string type_name(mode_t mode) {
    switch (mode & S_IFMT) {
        case S_IFREG:
            return "file";
        case S_IFDIR:
            return "dir";
        case S_IFLNK:
            return "symlink";
        case S_IFIFO:
            return "fifo";
        case S_IFSOCK:
            return "socket";
        case S_IFCHR:
            return "chardev";
        case S_IFBLK:
            return "blockdev";
    }
    return "type " + octal(mode & S_IFMT);
}

std::string list_text(const std::vector<std::string>& names) {
    std::string text = "[";
    for (const std::string& name : names)
        text += (text.size() > 1 ? " " : "") + name;
    return text + "]";
}

std::string xattr_text(const std::vector<std::pair<std::string, std::string>>& xattrs) {
    std::string text = "{";
    for (const auto& [name, value] : xattrs) {
        text += (text.size() > 1 ? " " : "") + name + "=" + std::to_string(value.size()) + "B";
    }
    return text + "}";
}

std::string time_text(const timespec& t) {
    return std::to_string(t.tv_sec) + "." + std::to_string(t.tv_nsec);
}

std::string content_difference(const std::string& expected, const std::string& actual) {
    const auto mismatch =
        std::mismatch(expected.begin(), expected.end(), actual.begin(), actual.end());
    return "content differs from byte " + std::to_string(mismatch.first - expected.begin()) +
           " (lengths " + std::to_string(expected.size()) + "/" + std::to_string(actual.size()) +
           ")";
}

// Collects "path: what expected=… actual=…" lines.
class DiffWriter {
  public:
    DiffWriter(std::string path, const CompareSpec& spec, std::vector<std::string>& lines)
        : path_(std::move(path)), spec_(spec), lines_(lines) {}

    void field(const std::string& what, const std::string& expected, const std::string& actual) {
        if (expected == actual) return;
        lines_.push_back(path_ + ": " + what + " " + spec_.expected_name + "=" + expected + " " +
                         spec_.actual_name + "=" + actual);
    }
    void note(const std::string& text) { lines_.push_back(path_ + ": " + text); }

  private:
    std::string path_;
    const CompareSpec& spec_;
    std::vector<std::string>& lines_;
};

}  // namespace

NodeState capture_node(const std::filesystem::path& root, const std::string& relative,
                       CaptureOptions options) {
    const std::filesystem::path path = relative.empty() ? root : root / relative;
    NodeState node;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        node.lstat_errno = errno;
        return node;
    }
    node.mode = st.st_mode;
    node.owner = Owner{st.st_uid, st.st_gid};
    node.size = st.st_size;
    node.nlink = st.st_nlink;
    node.rdev = st.st_rdev;
    node.atime = st.st_atim;
    node.mtime = st.st_mtim;
    if (S_ISLNK(st.st_mode)) {
        std::string target(PATH_MAX, '\0');
        const ssize_t length = ::readlink(path.c_str(), target.data(), target.size());
        target.resize(length < 0 ? 0 : static_cast<std::size_t>(length));
        node.link_target = target;
    } else if (S_ISREG(st.st_mode) && options.content) {
        node.content_errno = read_content(path, node.content);
    } else if (S_ISDIR(st.st_mode) && options.entries) {
        node.entries_errno = read_entries(path, node.entries);
    }
    if (options.xattrs) node.xattr_errno = read_xattrs(path, node.xattrs);
    return node;
}

Snapshot capture_tree(const std::filesystem::path& root, CaptureOptions options) {
    options.entries = true;
    Snapshot snapshot;
    std::vector<std::string> pending{""};
    while (!pending.empty()) {
        const std::string relative = pending.back();
        pending.pop_back();
        NodeState node = capture_node(root, relative, options);
        if (node.lstat_errno == 0 && S_ISDIR(node.mode)) {
            for (const std::string& name : node.entries)
                pending.push_back(join(relative, name));
        }
        snapshot.emplace(relative, std::move(node));
    }
    return snapshot;
}

std::vector<std::string> diff_nodes(const std::string& path, const NodeState& expected,
                                    const NodeState& actual, const CompareSpec& spec) {
    std::vector<std::string> lines;
    DiffWriter diff(path.empty() ? std::string(".") : path, spec, lines);
    if (expected.lstat_errno != 0 || actual.lstat_errno != 0) {
        diff.field("lstat",
                   expected.lstat_errno ? errno_name(expected.lstat_errno) : describe(expected),
                   actual.lstat_errno ? errno_name(actual.lstat_errno) : describe(actual));
        return lines;
    }
    const unsigned fields = spec.fields;
    if (fields & kType) diff.field("type", type_name(expected.mode), type_name(actual.mode));
    if ((expected.mode & S_IFMT) != (actual.mode & S_IFMT)) return lines;
    if (fields & kPermissions) {
        diff.field("mode", octal(expected.mode & 07777), octal(actual.mode & 07777));
    }
    if (fields & kOwnership) {
        diff.field("owner", owner_text(spec.translate_owner(expected.owner)),
                   owner_text(actual.owner));
    }
    const bool regular = S_ISREG(expected.mode);
    if ((fields & kSize) && regular) {
        diff.field("size", std::to_string(expected.size), std::to_string(actual.size));
    }
    if (fields & kLinkCount) {
        diff.field("nlink", std::to_string(expected.nlink), std::to_string(actual.nlink));
    }
    if ((fields & kDeviceNumber) && (S_ISCHR(expected.mode) || S_ISBLK(expected.mode))) {
        diff.field("rdev", std::to_string(expected.rdev), std::to_string(actual.rdev));
    }
    if (fields & kLinkTarget) diff.field("target", expected.link_target, actual.link_target);
    if ((fields & kContent) && regular) {
        diff.field("read", errno_name(expected.content_errno), errno_name(actual.content_errno));
        if (expected.content != actual.content) {
            diff.note(content_difference(expected.content, actual.content));
        }
    }
    if (fields & kEntries) {
        diff.field("readdir", errno_name(expected.entries_errno), errno_name(actual.entries_errno));
        diff.field("entries", list_text(expected.entries), list_text(actual.entries));
    }
    if (fields & kXattrs) {
        diff.field("listxattr", errno_name(expected.xattr_errno), errno_name(actual.xattr_errno));
        if (expected.xattrs != actual.xattrs) {
            diff.field("xattrs", xattr_text(expected.xattrs), xattr_text(actual.xattrs));
        }
    }
    if (fields & kTimes) {
        diff.field("atime", time_text(expected.atime), time_text(actual.atime));
        diff.field("mtime", time_text(expected.mtime), time_text(actual.mtime));
    }
    return lines;
}

std::vector<std::string> diff_trees(const Snapshot& expected, const Snapshot& actual,
                                    const CompareSpec& spec) {
    std::vector<std::string> lines;
    NodeState absent;
    absent.lstat_errno = ENOENT;
    for (const auto& [path, node] : expected) {
        const auto found = actual.find(path);
        const auto more =
            diff_nodes(path, node, found == actual.end() ? absent : found->second, spec);
        lines.insert(lines.end(), more.begin(), more.end());
    }
    for (const auto& [path, node] : actual) {
        if (!expected.contains(path)) {
            const auto more = diff_nodes(path, absent, node, spec);
            lines.insert(lines.end(), more.begin(), more.end());
        }
    }
    return lines;
}

std::string describe(const NodeState& node) {
    if (node.lstat_errno != 0) return errno_name(node.lstat_errno);
    std::string text =
        type_name(node.mode) + " " + octal(node.mode & 07777) + " " + owner_text(node.owner);
    if (S_ISREG(node.mode)) text += " size " + std::to_string(node.size);
    if (S_ISLNK(node.mode)) text += " -> " + node.link_target;
    return text;
}

}  // namespace idshift::robust
