#include "idshift/kernel/failure.hpp"

#include <cstring>

namespace idshift::kernel {

std::string Failure::describe() const {
    const char* name = strerrorname_np(error);
    return step + ": " + (name != nullptr ? name : std::to_string(error)) + " (" +
           std::strerror(error) + ")";
}

}  // namespace idshift::kernel
