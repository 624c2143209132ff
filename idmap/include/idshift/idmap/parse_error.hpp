#pragma once
#include <string>
#include <vector>

namespace idshift::idmap {

// One problem found while loading a map. Loading reports every problem it finds, never just the
// first, and a map with any error is rejected whole.
struct ParseError {
    std::string file;  // the map file (or "uidmap="/"gidmap=" for inline options)
    int line = 0;      // 1-based; 0 when the error is not tied to a line
    std::string message;

    // "FILE:LINE: message", or "FILE: message" when line is 0.
    std::string to_string() const;
    friend bool operator==(const ParseError&, const ParseError&) = default;
};

using ParseErrors = std::vector<ParseError>;

}  // namespace idshift::idmap
