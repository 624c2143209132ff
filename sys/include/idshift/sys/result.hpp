#pragma once
// A value or a positive errno: the currency of the filesystem core and of the sys/ wrappers.
// ENOENT and EACCES are ordinary outcomes on the hot path, so they travel as values, never as
// exceptions.
#include <cassert>
#include <utility>
#include <variant>

namespace idshift::sys {

// A positive errno value, as fuse_reply_err expects it.
struct Errno {
    int value;
};

template <typename T>
class [[nodiscard]] Result {
  public:
    Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
    Result(Errno error) : state_(std::in_place_index<1>, error) {          // NOLINT: implicit
        assert(error.value > 0);
    }

    bool ok() const noexcept { return state_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }
    // 0 when ok().
    int error() const noexcept { return ok() ? 0 : std::get<1>(state_).value; }

    T& value() & { return std::get<0>(state_); }
    const T& value() const& { return std::get<0>(state_); }
    T&& value() && { return std::get<0>(std::move(state_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

  private:
    std::variant<T, Errno> state_;
};

}  // namespace idshift::sys
