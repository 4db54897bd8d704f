#pragma once
// POSIX file plumbing the file formats share (.npy, .octet): an owned file
// descriptor, whole-file reads, and writes that land all at once: to a
// temporary beside the target, synced, then renamed over it, so a failure
// never leaves a half-written file (DESIGN.md, "Errors and input").
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace octet::graph {

std::string errno_text();

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd();
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release();

 private:
  int fd_;
};

// The bytes of a regular file; octet::FormatError starting with the path
// otherwise (missing, unreadable, a directory).
std::vector<uint8_t> read_file(const std::string& path);

// Collects writes in a temporary file; commit() makes it `path`. Destroyed
// without commit() (an exception on the way), the temporary is removed.
class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, size_t n);
  void write_zeros(size_t n);
  void commit();

 private:
  std::string path_, temp_;
  Fd fd_;
  bool committed_ = false;
};

}  // namespace octet::graph
