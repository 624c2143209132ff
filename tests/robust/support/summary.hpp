#pragma once
// The closing line of every suite, "robust: <suite> key=value ...", printed to stdout and, when
// $IDSHIFT_ROBUST_SUMMARY names a file, appended there so one CI step can show all suites.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace idshift::robust {

class Summary {
  public:
    explicit Summary(std::string suite);

    // Keys keep the order of their first use.
    void set(const std::string& key, const std::string& value);
    void set(const std::string& key, std::int64_t value);
    void add(const std::string& key, std::int64_t delta);
    std::int64_t get(const std::string& key) const;

    std::string line() const;
    // Prints and records the line; returns the suite's exit status (0, or 1 when `failed`).
    int finish(bool failed) const;

  private:
    std::string* find(const std::string& key);

    std::string suite_;
    std::vector<std::pair<std::string, std::string>> fields_;
};

}  // namespace idshift::robust
