#pragma once
// An array of T in anonymous MAP_SHARED memory, so forked children and the suite see the same
// counters. T must be usable across processes (atomics, plain data).
#include <sys/mman.h>

#include <cstddef>
#include <new>

namespace idshift::robust {

template <typename T>
class SharedArray {
  public:
    explicit SharedArray(std::size_t count) : count_(count) {
        memory_ =
            ::mmap(nullptr, bytes(), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (memory_ == MAP_FAILED) throw std::bad_alloc();
        for (std::size_t i = 0; i < count_; ++i)
            new (data() + i) T();
    }
    ~SharedArray() {
        for (std::size_t i = 0; i < count_; ++i)
            data()[i].~T();
        ::munmap(memory_, bytes());
    }
    SharedArray(const SharedArray&) = delete;
    SharedArray& operator=(const SharedArray&) = delete;

    T* data() { return static_cast<T*>(memory_); }
    T& operator[](std::size_t index) { return data()[index]; }
    std::size_t size() const { return count_; }

  private:
    std::size_t bytes() const { return count_ * sizeof(T); }
    std::size_t count_;
    void* memory_;
};

}  // namespace idshift::robust
