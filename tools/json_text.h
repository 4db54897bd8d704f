#pragma once
// The pieces of JSON the commands' --json output is made of.
#include <string>

namespace octet::cli {

// A JSON string literal: quoted, with '"', '\\' and control bytes escaped.
std::string json_string(const std::string& s);
// The shortest text that reads back as the same double. JSON has no
// infinities or NaN, so those are the strings "inf", "-inf" and "nan"
// (Python's float() reads them back).
std::string json_number(double v);

}  // namespace octet::cli
