#include "idshift/kext/connection.hpp"

#include <fcntl.h>
#include <linux/fuse.h>
#include <spdlog/spdlog.h>
#include <sys/uio.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <mutex>
#include <optional>
#include <span>
#include <utility>

#include "dev_fuse_device.hpp"
#include "idshift/kext/init_patch.hpp"

namespace idshift::fusell::kext {

struct Connection::State {
    explicit State(const Options& opts) : options(opts), registry(device) {}

    const Options options;
    DevFuseDevice device;
    BackingRegistry registry;
    std::function<void(const Status&)> on_negotiated;
    std::array<std::atomic<std::uint64_t>, 64> request_counts{};

    // Set by the read hook when INIT arrives, cleared once its reply went out. Every other writev
    // tests only this flag.
    std::atomic<bool> init_pending{false};
    mutable std::mutex mutex;  // guards offer and status; never held across a FUSE reply
    std::optional<InitOffer> offer;
    Status status;
    bool attached = false;
};

namespace {

// The Connection whose hooks are installed. libfuse passes the hooks the filesystem's userdata, so
// this pointer is the only way back to the module: one attached Connection per process.
std::atomic<Connection::State*> g_attached{nullptr};

// The request this thread is serving (see current_request()).
thread_local RequestNote t_current_request;

Status all_disabled() {
    Status status;
    status.passthrough.reason = Reason::disabled_by_option;
    status.killpriv_v2.reason = Reason::disabled_by_option;
    status.allow_idmap.reason = Reason::disabled_by_option;
    return status;
}

bool wants_any(const Options& options) noexcept {
    return options.passthrough || options.killpriv_v2 || options.allow_idmap;
}

void note_request(Connection::State& state, std::span<const std::byte> bytes) noexcept {
    const std::optional<RequestNote> note = parse_request(bytes);
    t_current_request = note.value_or(RequestNote{});
    if (!note) return;
    if (note->opcode < state.request_counts.size()) {
        state.request_counts[note->opcode].fetch_add(1, std::memory_order_relaxed);
    }
    if (note->opcode != FUSE_INIT) return;
    const std::optional<InitOffer> offer = parse_init_offer(bytes);
    if (!offer) return;
    const std::lock_guard lock(state.mutex);
    state.offer = offer;
    state.init_pending.store(true, std::memory_order_release);
}

// After the patched INIT reply went out: probe, publish, report. Runs once; never throws, because
// the reply is already written and must not be sent a second time.
void finish_negotiation(Connection::State& state, Status status) noexcept {
    if (status.passthrough.negotiated) {
        status.passthrough.reason = probe_passthrough(state.device);
        status.passthrough.available = status.passthrough.reason == Reason::none;
    }
    state.registry.set_enabled(status.passthrough.available);
    try {
        {
            const std::lock_guard lock(state.mutex);
            state.status = status;
        }
        if (status.passthrough.reason == Reason::writeback_conflict) {
            spdlog::warn(
                "passthrough: off: the filesystem asked for the writeback cache, and the kernel "
                "does not combine it with passthrough");
        }
        spdlog::info("kernel extras: {}", describe(status));
        if (state.on_negotiated) state.on_negotiated(status);
    } catch (...) {
        spdlog::error("kernel extras: reporting the negotiated features failed");
    }
}

// The patched INIT reply for this writev, or nullopt when it is not the INIT reply. Publishes the
// negotiated (not yet probed) status. May throw: nothing has been written yet.
std::optional<InitPatch> prepare_init_reply(Connection::State& state, const iovec* iov, int count) {
    std::optional<InitOffer> offer;
    {
        const std::lock_guard lock(state.mutex);
        offer = state.offer;
    }
    const std::optional<wire::InitOut> reply =
        offer ? find_init_reply(iov, count, offer->unique) : std::nullopt;
    if (!reply) return std::nullopt;

    InitPatch patch = patch_init_reply(*offer, state.options, *reply);
    {
        const std::lock_guard lock(state.mutex);
        state.status = patch.status;
    }
    // Opens may arrive as soon as the kernel has the reply, before the probe has answered: let
    // them try. Should passthrough be unusable after all, their BACKING_OPEN answers EPERM and the
    // registry turns passthrough off by itself.
    state.registry.set_enabled(patch.status.passthrough.negotiated);
    return patch;
}

ssize_t write_init_reply(Connection::State& state, int fd, iovec* iov, InitPatch& patch) {
    const std::array<iovec, 2> patched{iov[0], iovec{&patch.reply, sizeof(patch.reply)}};
    const ssize_t written = ::writev(fd, patched.data(), static_cast<int>(patched.size()));
    const int saved_errno = errno;
    state.init_pending.store(false, std::memory_order_release);
    if (written >= 0) {
        finish_negotiation(state, patch.status);
    } else {
        state.registry.set_enabled(false);
    }
    errno = saved_errno;
    return written;
}

ssize_t hook_read(int fd, void* buf, size_t len, void* /*fs_userdata*/) {
    const ssize_t got = ::read(fd, buf, len);
    Connection::State* state = g_attached.load(std::memory_order_acquire);
    if (got > 0 && state != nullptr) {
        const int saved_errno = errno;
        const std::span bytes(static_cast<std::byte*>(buf), static_cast<std::size_t>(got));
        tmpfile_as_create(bytes);
        note_request(*state, bytes);
        errno = saved_errno;
    }
    return got;
}

ssize_t hook_writev(int fd, iovec* iov, int count, void* /*fs_userdata*/) {
    Connection::State* state = g_attached.load(std::memory_order_acquire);
    if (state == nullptr || !state->init_pending.load(std::memory_order_acquire)) {
        return ::writev(fd, iov, count);
    }
    std::optional<InitPatch> patch;
    try {
        patch = prepare_init_reply(*state, iov, count);
    } catch (...) {  // nothing may unwind into libfuse; the reply then goes out unpatched
        state->registry.set_enabled(false);
        state->init_pending.store(false, std::memory_order_release);
        spdlog::error("kernel extras: INIT negotiation failed; continuing without extras");
    }
    if (!patch) return ::writev(fd, iov, count);
    return write_init_reply(*state, fd, iov, *patch);
}

// Forwarded so that libfuse keeps splicing FD-backed replies (SPLICE_WRITE/SPLICE_MOVE).
ssize_t hook_splice_send(int fdin, off_t* offin, int fdout, off_t* offout, size_t len,
                         unsigned int flags, void* /*fs_userdata*/) {
    return ::splice(fdin, offin, fdout, offout, len, flags);
}

constexpr fuse_custom_io kHooks{hook_writev, hook_read, nullptr, hook_splice_send};

}  // namespace

Connection::Connection(const Options& options) : state_(std::make_unique<State>(options)) {
    if (!wants_any(options)) state_->status = all_disabled();
}

Connection::~Connection() {
    State* expected = state_.get();
    g_attached.compare_exchange_strong(expected, nullptr, std::memory_order_acq_rel);
}

void Connection::set_negotiated_callback(std::function<void(const Status&)> callback) {
    state_->on_negotiated = std::move(callback);
}

int Connection::attach(fuse_session* se) noexcept {
    if (!wants_any(state_->options)) return 0;
    if (state_->attached) return -EBUSY;
    State* expected = nullptr;
    if (!g_attached.compare_exchange_strong(expected, state_.get(), std::memory_order_acq_rel)) {
        return -EBUSY;
    }
    const int fd = fuse_session_fd(se);
    state_->device.set_fd(fd);
    const int result = fuse_session_custom_io(se, &kHooks, fd);
    if (result != 0) {
        g_attached.store(nullptr, std::memory_order_release);
        return result;
    }
    state_->attached = true;
    return 0;
}

Status Connection::status() const {
    const std::lock_guard lock(state_->mutex);
    Status status = state_->status;
    if (state_->registry.lost_permission() && status.passthrough.available) {
        status.passthrough.available = false;
        status.passthrough.reason = Reason::no_cap_sys_admin;
    }
    return status;
}

BackingRegistry& Connection::backing() noexcept {
    return state_->registry;
}

std::uint64_t Connection::request_count(std::uint32_t opcode) const noexcept {
    if (opcode >= state_->request_counts.size()) return 0;
    return state_->request_counts[opcode].load(std::memory_order_relaxed);
}

RequestNote current_request() noexcept {
    return t_current_request;
}

}  // namespace idshift::fusell::kext
