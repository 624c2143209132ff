#pragma once
// Splitting a line of a map file or of /proc/PID/uid_map into its words.
#include <string_view>
#include <vector>

namespace idshift::idmap {

// The words of `line`, separated by runs of spaces and tabs; '\r' counts as a space so that files
// written on Windows read the same.
inline std::vector<std::string_view> split_words(std::string_view line) {
    constexpr std::string_view kSpace = " \t\r";
    std::vector<std::string_view> words;
    for (std::size_t at = line.find_first_not_of(kSpace); at != std::string_view::npos;) {
        const std::size_t end = line.find_first_of(kSpace, at);
        words.push_back(line.substr(at, end - at));
        at = end == std::string_view::npos ? end : line.find_first_not_of(kSpace, end);
    }
    return words;
}

}  // namespace idshift::idmap
