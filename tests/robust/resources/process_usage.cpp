#include "process_usage.hpp"

#include <dirent.h>

#include <chrono>
#include <fstream>
#include <string>

namespace idshift::robust {

Usage read_usage(pid_t pid) {
    Usage usage;
    const std::string proc = "/proc/" + std::to_string(pid);
    std::ifstream status(proc + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.starts_with("VmRSS:")) usage.rss_kib = std::stoll(line.substr(6));
    }
    if (DIR* dir = ::opendir((proc + "/fd").c_str())) {
        usage.fds = 0;
        while (const dirent* entry = ::readdir(dir))
            usage.fds += entry->d_name[0] != '.' ? 1 : 0;
        ::closedir(dir);
    }
    return usage;
}

UsageSampler::UsageSampler(pid_t pid) : pid_(pid) {
    thread_ = std::thread([this] {
        while (!stop_) {
            const Usage usage = read_usage(pid_);
            if (usage.rss_kib > peak_rss_kib_) peak_rss_kib_ = usage.rss_kib;
            if (usage.fds > peak_fds_) peak_fds_ = usage.fds;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    });
}

UsageSampler::~UsageSampler() {
    stop_ = true;
    thread_.join();
}

}  // namespace idshift::robust
