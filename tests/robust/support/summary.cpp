#include "summary.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace idshift::robust {

// The variant first, so that the lines of robust.NAME and robust.NAME.nocache can be told apart.
Summary::Summary(std::string suite) : suite_(std::move(suite)) {
    if (const char* variant = std::getenv("IDSHIFT_TEST_VARIANT"); variant != nullptr && *variant)
        fields_.emplace_back("variant", variant);
}

std::string* Summary::find(const std::string& key) {
    for (auto& [name, value] : fields_) {
        if (name == key) return &value;
    }
    return nullptr;
}

void Summary::set(const std::string& key, const std::string& value) {
    if (std::string* existing = find(key)) {
        *existing = value;
    } else {
        fields_.emplace_back(key, value);
    }
}

void Summary::set(const std::string& key, std::int64_t value) {
    set(key, std::to_string(value));
}

void Summary::add(const std::string& key, std::int64_t delta) {
    set(key, get(key) + delta);
}

std::int64_t Summary::get(const std::string& key) const {
    for (const auto& [name, value] : fields_) {
        if (name == key) return std::strtoll(value.c_str(), nullptr, 10);
    }
    return 0;
}

std::string Summary::line() const {
    std::string text = "robust: " + suite_;
    for (const auto& [name, value] : fields_)
        text += " " + name + "=" + value;
    return text;
}

int Summary::finish(bool failed) const {
    const std::string text = line() + (failed ? " result=FAIL" : " result=pass");
    std::printf("%s\n", text.c_str());
    std::fflush(stdout);
    if (const char* file = std::getenv("IDSHIFT_ROBUST_SUMMARY"); file != nullptr && *file) {
        std::ofstream(file, std::ios::app) << text << '\n';
    }
    return failed ? 1 : 0;
}

}  // namespace idshift::robust
