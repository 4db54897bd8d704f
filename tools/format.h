#pragma once
// Text forms the subcommands share.
#include <cstdint>
#include <string>

#include "graph/graph.h"

namespace octet::cli {

// "[N, 3, 224, 224]": symbolic dims by name, unknown ones as "?", and
// "unknown" when the model gives no shape at all.
std::string value_shape(const graph::ValueInfo& v);
// "1234567" -> "1,234,567".
std::string grouped(uint64_t n);
// "4.7 MiB".
std::string human_bytes(uint64_t bytes);
// A name from a file, safe to print: control bytes become \xNN, so a
// hostile model cannot send escape sequences to the terminal.
std::string printable(const std::string& s);

}  // namespace octet::cli
