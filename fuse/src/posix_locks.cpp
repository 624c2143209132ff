#include "posix_locks.hpp"

#include <utility>

namespace idshift::fusell {

Result<SharedFd> PosixLockOwners::get_or_open(std::uint64_t owner, pid_t pid,
                                              const std::function<Result<sys::UniqueFd>()>& open) {
    {
        std::lock_guard lock(mutex_);
        if (auto it = owners_.find(owner); it != owners_.end()) {
            if (pid > 0) it->second.pid = pid;
            return it->second.fd;
        }
    }
    auto opened = open();  // a syscall: outside the mutex
    if (!opened) return Errno{opened.error()};
    auto fresh = std::make_shared<const sys::UniqueFd>(std::move(*opened));
    std::lock_guard lock(mutex_);
    auto [it, inserted] = owners_.try_emplace(owner, Holder{pid, fresh});
    // A racing request of the same owner won: use its OFD; ours closes when `fresh` goes away,
    // which is after the mutex is released (it is declared before the lock).
    return it->second.fd;
}

SharedFd PosixLockOwners::find(std::uint64_t owner) const {
    std::lock_guard lock(mutex_);
    auto it = owners_.find(owner);
    return it == owners_.end() ? nullptr : it->second.fd;
}

std::vector<PosixLockOwners::Holder> PosixLockOwners::others(std::uint64_t owner) const {
    std::vector<Holder> out;
    std::lock_guard lock(mutex_);
    for (const auto& [id, holder] : owners_) {
        if (id != owner) out.push_back(holder);
    }
    return out;
}

void PosixLockOwners::drop(std::uint64_t owner) noexcept {
    SharedFd closing;  // closed after the mutex is released
    std::lock_guard lock(mutex_);
    auto it = owners_.find(owner);
    if (it == owners_.end()) return;
    closing = std::move(it->second.fd);
    owners_.erase(it);
}

void PosixLockOwners::note_open() noexcept {
    std::lock_guard lock(mutex_);
    ++opens_;
}

void PosixLockOwners::note_release() noexcept {
    std::unordered_map<std::uint64_t, Holder> closing;  // closed after the mutex is released
    std::lock_guard lock(mutex_);
    if (opens_ > 0) --opens_;
    if (opens_ == 0) closing.swap(owners_);
}

std::size_t PosixLockOwners::owner_count() const {
    std::lock_guard lock(mutex_);
    return owners_.size();
}

}  // namespace idshift::fusell
