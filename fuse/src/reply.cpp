#include "reply.hpp"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>

namespace idshift::fusell {

Reply::~Reply() {
    if (req_ == nullptr) return;
    spdlog::error("{}: no reply was sent; answering EIO", op_);
    api_->err(std::exchange(req_, nullptr), EIO);
}

int Reply::err(int error) noexcept {
    if (req_ != nullptr && error != 0) {
        SPDLOG_DEBUG("{}: {}", op_, std::strerror(error));
    }
    return send(api_->err, error);
}

void Reply::none() noexcept {
    if (req_ != nullptr) api_->none(std::exchange(req_, nullptr));
}

int Reply::entry(const fuse_entry_param& e) noexcept {
    return send(api_->entry, &e);
}
int Reply::attr(const struct stat& a, double timeout) noexcept {
    return send(api_->attr, &a, timeout);
}
int Reply::readlink(const char* target) noexcept {
    return send(api_->readlink, target);
}
int Reply::write(size_t count) noexcept {
    return send(api_->write, count);
}
int Reply::buf(const char* data, size_t size) noexcept {
    return send(api_->buf, data, size);
}
int Reply::statfs(const struct statvfs& st) noexcept {
    return send(api_->statfs, &st);
}
int Reply::xattr(size_t size) noexcept {
    return send(api_->xattr, size);
}
int Reply::lock(const struct flock& l) noexcept {
    return send(api_->lock, &l);
}
int Reply::lseek(off_t offset) noexcept {
    return send(api_->lseek, offset);
}
int Reply::open(const fuse_file_info& fi) noexcept {
    return send(api_->open, &fi);
}

}  // namespace idshift::fusell
