#include "idshift/idmap/parse_error.hpp"

namespace idshift::idmap {

std::string ParseError::to_string() const {
    if (line == 0) return file + ": " + message;
    return file + ":" + std::to_string(line) + ": " + message;
}

}  // namespace idshift::idmap
