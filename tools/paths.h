#pragma once
// The file-system questions the CLI asks, answered with POSIX calls. Not
// std::filesystem: in a static build its path type drags in iostream's
// locale and iconv, a tenth of the binary (README, "Binary size").
#include <cstdint>
#include <string>
#include <vector>

namespace octet::cli {

bool path_exists(const std::string& path);
bool is_directory(const std::string& path);
bool is_regular_file(const std::string& path);
// -1 when `path` cannot be stat'ed.
int64_t file_size(const std::string& path);
// The names in `dir` except "." and ".."; octet::Error naming `dir` if it
// cannot be listed.
std::vector<std::string> list_directory(const std::string& dir);
// `dir` and any missing parents; octet::Error naming the part that failed,
// or `dir` if it exists and is not a directory.
void make_directories(const std::string& dir);
std::string join_path(const std::string& dir, const std::string& name);
// The last component, ignoring trailing '/' and "/.": "a/b/" -> "b".
std::string last_component(const std::string& path);

}  // namespace octet::cli
