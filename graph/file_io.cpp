#include "graph/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "graph/error.h"

namespace octet::graph {

namespace {

// Exclusive creation, so two writers never share a temporary. Mode 0666
// lets the umask decide, as for any new file.
int create_temp(const std::string& path, std::string& temp) {
  static unsigned counter = 0;
  for (int attempt = 0; attempt < 100; ++attempt) {
    temp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) return fd;
    if (errno != EEXIST) throw Error("cannot create " + temp + ": " + errno_text());
  }
  throw Error("cannot create a temporary file beside " + path);
}

}  // namespace

std::string errno_text() { return std::strerror(errno); }

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

int Fd::release() { return std::exchange(fd_, -1); }

std::vector<uint8_t> read_file(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw FormatError(path + ": cannot open file: " + errno_text());
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) throw FormatError(path + ": cannot stat file: " + errno_text());
  if (!S_ISREG(st.st_mode)) throw FormatError(path + ": not a regular file");
  std::vector<uint8_t> bytes(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::read(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw FormatError(path + ": cannot read file: " + errno_text());
    if (n == 0) throw Error(path + ": file shrank while being read");
    done += static_cast<size_t>(n);
  }
  return bytes;
}

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)), fd_(create_temp(path_, temp_)) {}

AtomicFile::~AtomicFile() {
  if (!committed_) ::unlink(temp_.c_str());
}

void AtomicFile::write(const void* data, size_t n) {
  const uint8_t* p = static_cast<const uint8_t*>(data);
  while (n > 0) {
    ssize_t w = ::write(fd_.get(), p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) throw Error("cannot write " + temp_ + ": " + errno_text());
    p += w;
    n -= static_cast<size_t>(w);
  }
}

void AtomicFile::write_zeros(size_t n) {
  static const uint8_t zeros[256] = {};
  while (n > 0) {
    size_t step = n < sizeof zeros ? n : sizeof zeros;
    write(zeros, step);
    n -= step;
  }
}

void AtomicFile::commit() {
  if (::fsync(fd_.get()) != 0) throw Error("cannot write " + temp_ + ": " + errno_text());
  if (::close(fd_.release()) != 0) throw Error("cannot write " + temp_ + ": " + errno_text());
  if (::rename(temp_.c_str(), path_.c_str()) != 0)
    throw Error("cannot rename " + temp_ + " to " + path_ + ": " + errno_text());
  committed_ = true;
}

}  // namespace octet::graph
