#pragma once
// One error convention for the whole library: octet::Error, thrown, never
// printed. The message names what was wrong and where (file, field, node).
#include <stdexcept>
#include <string>

namespace octet {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// Bad input from a file or a caller: a model, a tensor file, a shape.
class FormatError : public Error {
 public:
  using Error::Error;
};

// Well-formed input that Octet does not support (an op, a dtype, a feature).
class UnsupportedError : public Error {
 public:
  using Error::Error;
};

}  // namespace octet
