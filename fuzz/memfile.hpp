#pragma once
// The fuzz input as a file, for APIs that take a path (load_scenario, read_fixture_file):
// an anonymous memfd, named "/proc/self/fd/N", never on disk and gone when closed.

#include <string>
#include <string_view>

#include "fuzz/fuzz_check.hpp"
#include <sys/mman.h>
#include <unistd.h>

namespace mock::fuzz {

class MemFile {
 public:
  explicit MemFile(std::string_view bytes) : fd_(::memfd_create("fuzz_input", MFD_CLOEXEC)) {
    FUZZ_CHECK(fd_ >= 0, "memfd_create failed");
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
      FUZZ_CHECK(n > 0, "write to the memfd failed");
      done += static_cast<std::size_t>(n);
    }
  }
  ~MemFile() { ::close(fd_); }
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;

  std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

 private:
  int fd_;
};

}  // namespace mock::fuzz
