#pragma once
// The one place where exceptions become errno values. Every libfuse callback is noexcept and runs
// its body through answer_guarded, so no C++ exception ever unwinds through a libfuse C frame.
#include <spdlog/spdlog.h>

#include <cerrno>
#include <exception>
#include <new>
#include <system_error>

#include "reply.hpp"

namespace idshift::fusell {

// Runs `body`; returns 0, or the errno an escaping exception stands for: a system_error's code,
// ENOMEM for bad_alloc, EIO (logged) for anything else.
template <typename Body>
int errno_boundary(const char* op, Body&& body) noexcept {
    try {
        body();
        return 0;
    } catch (const std::system_error& e) {
        const int code = e.code().value();
        return code > 0 ? code : EIO;
    } catch (const std::bad_alloc&) {
        return ENOMEM;
    } catch (const std::exception& e) {
        spdlog::error("{}: unexpected error: {}", op, e.what());
        return EIO;
    } catch (...) {
        spdlog::error("{}: unexpected error", op);
        return EIO;
    }
}

// Runs `body`, which answers through `reply`; answers with the errno when it throws instead.
template <typename Body>
void answer_guarded(Reply& reply, Body&& body) noexcept {
    if (const int error = errno_boundary(reply.op(), body)) reply.err(error);
}

}  // namespace idshift::fusell
