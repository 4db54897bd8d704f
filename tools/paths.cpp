#include "tools/paths.h"

#include <dirent.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "graph/error.h"

namespace octet::cli {

namespace {

bool stat_of(const std::string& path, struct stat& st) { return ::stat(path.c_str(), &st) == 0; }

}  // namespace

bool path_exists(const std::string& path) {
  struct stat st {};
  return stat_of(path, st);
}

bool is_directory(const std::string& path) {
  struct stat st {};
  return stat_of(path, st) && S_ISDIR(st.st_mode);
}

bool is_regular_file(const std::string& path) {
  struct stat st {};
  return stat_of(path, st) && S_ISREG(st.st_mode);
}

int64_t file_size(const std::string& path) {
  struct stat st {};
  return stat_of(path, st) ? static_cast<int64_t>(st.st_size) : -1;
}

std::vector<std::string> list_directory(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) throw Error("cannot list " + dir + ": " + std::strerror(errno));
  std::vector<std::string> names;
  errno = 0;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  const int err = errno;
  ::closedir(d);
  if (err != 0) throw Error("cannot list " + dir + ": " + std::strerror(err));
  return names;
}

void make_directories(const std::string& dir) {
  // Each prefix ending before a '/', then the whole path.
  for (size_t end = dir.find('/', 1);; end = dir.find('/', end + 1)) {
    const std::string part = dir.substr(0, end);
    if (!part.empty() && ::mkdir(part.c_str(), 0777) != 0 && errno != EEXIST)
      throw Error("cannot create directory " + part + ": " + std::strerror(errno));
    if (end == std::string::npos) break;
  }
  if (!is_directory(dir)) throw Error("output path " + dir + " is not a directory");
}

std::string join_path(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  return dir.back() == '/' ? dir + name : dir + "/" + name;
}

std::string last_component(const std::string& path) {
  std::string p = path;
  for (;;) {
    if (p.size() > 1 && p.back() == '/')
      p.pop_back();
    else if (p.size() > 2 && p.compare(p.size() - 2, 2, "/.") == 0)
      p.resize(p.size() - 2);
    else
      break;
  }
  const size_t slash = p.rfind('/');
  return slash == std::string::npos || p.size() == 1 ? p : p.substr(slash + 1);
}

}  // namespace octet::cli
