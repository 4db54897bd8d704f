#pragma once
// What every fuzz target promises about hostile bytes: the library either
// succeeds or throws octet::Error (a message naming what and where). Any
// other exception (std::bad_alloc from an unbounded allocation,
// std::out_of_range from an unchecked index), a crash or a sanitizer report
// is a bug, so only octet::Error is caught here.
#include <cstddef>
#include <cstdint>

#include "graph/error.h"

namespace octet::fuzz {

template <class Fn> int expect_success_or_error(Fn&& fn) {
  try {
    fn();
  } catch (const octet::Error&) {
  }
  return 0;
}

}  // namespace octet::fuzz
