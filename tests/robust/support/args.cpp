#include "args.hpp"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace idshift::robust {
namespace {

[[noreturn]] void usage(const char* program, std::string_view problem) {
    std::fprintf(stderr, "%s: %.*s\n", program, static_cast<int>(problem.size()), problem.data());
    std::exit(2);
}

bool listed(std::initializer_list<std::string_view> names, std::string_view name) {
    for (const std::string_view known : names) {
        if (known == name) return true;
    }
    return false;
}

}  // namespace

Args::Args(int argc, char** argv, std::initializer_list<std::string_view> valued,
           std::initializer_list<std::string_view> flags) {
    for (int i = 1; i < argc; ++i) {
        std::string_view word = argv[i];
        if (!word.starts_with("--")) usage(argv[0], "unexpected argument " + std::string(word));
        word.remove_prefix(2);
        const std::size_t equals = word.find('=');
        const std::string name(word.substr(0, equals));
        if (listed(flags, name) && equals == std::string_view::npos) {
            values_[name] = "1";
        } else if (listed(valued, name)) {
            if (equals != std::string_view::npos) {
                values_[name] = std::string(word.substr(equals + 1));
            } else if (i + 1 < argc) {
                values_[name] = argv[++i];
            } else {
                usage(argv[0], "--" + name + " needs a value");
            }
        } else {
            usage(argv[0], "unknown option --" + name);
        }
    }
}

std::optional<std::string> Args::get(std::string_view name) const {
    const auto found = values_.find(name);
    if (found == values_.end()) return std::nullopt;
    return found->second;
}

std::uint64_t Args::number(std::string_view name, std::uint64_t fallback) const {
    const auto text = get(name);
    if (!text) return fallback;
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || end != text->data() + text->size()) {
        usage("idshift-robust", "--" + std::string(name) + " wants a number, not " + *text);
    }
    return value;
}

bool Args::flag(std::string_view name) const {
    return values_.contains(name);
}

}  // namespace idshift::robust
