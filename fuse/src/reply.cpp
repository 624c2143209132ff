#include "reply.hpp"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>

#include "idshift/fusell/filesystem.hpp"

namespace idshift::fusell {

Stats* stats_of_request(fuse_req_t req) noexcept {
    auto* fs = static_cast<Filesystem*>(fuse_req_userdata(req));
    return fs != nullptr ? &fs->stats() : nullptr;
}

Reply::~Reply() {
    if (req_ == nullptr) return;
    spdlog::error("{}: no reply was sent; answering EIO", op());
    send(EIO, api_->err, EIO);
}

int Reply::err(int error) noexcept {
    if (req_ != nullptr && error != 0) {
        SPDLOG_DEBUG("{}: {}", op(), std::strerror(error));
    }
    return send(error, api_->err, error);
}

void Reply::none() noexcept {
    if (req_ == nullptr) return;
    api_->none(std::exchange(req_, nullptr));
    count(0);
}

int Reply::entry(const fuse_entry_param& e) noexcept {
    return send(0, api_->entry, &e);
}
int Reply::attr(const struct stat& a, double timeout) noexcept {
    return send(0, api_->attr, &a, timeout);
}
int Reply::readlink(const char* target) noexcept {
    return send(0, api_->readlink, target);
}
int Reply::write(size_t count) noexcept {
    return send(0, api_->write, count);
}
int Reply::buf(const char* data, size_t size) noexcept {
    return send(0, api_->buf, data, size);
}
int Reply::statfs(const struct statvfs& st) noexcept {
    return send(0, api_->statfs, &st);
}
int Reply::xattr(size_t size) noexcept {
    return send(0, api_->xattr, size);
}
int Reply::lock(const struct flock& l) noexcept {
    return send(0, api_->lock, &l);
}
int Reply::lseek(off_t offset) noexcept {
    return send(0, api_->lseek, offset);
}
int Reply::open(const fuse_file_info& fi) noexcept {
    return send(0, api_->open, &fi);
}

}  // namespace idshift::fusell
