#pragma once
// The one loop of the elementwise SIMD kernels (x86 and ARM): step(a, b, y)
// over whole blocks of kStep elements, then once more over a zero-padded
// copy of the tail, so every element takes the same vector code and no
// load or store passes element n - 1. No intrinsics here, so any level's
// file may include it.
#include <cstdint>
#include <cstring>

namespace octet::kernels {

// b may be null (a scalar second operand the step holds itself).
template <int64_t kStep, class T, class Step>
void for_each_block_padded(const T* a, const T* b, T* y, int64_t n, Step step) {
  int64_t i = 0;
  for (; i + kStep <= n; i += kStep) step(a + i, b ? b + i : nullptr, y + i);
  const int64_t rest = n - i;
  if (rest == 0) return;
  T ta[kStep] = {}, tb[kStep] = {}, ty[kStep];
  std::memcpy(ta, a + i, static_cast<size_t>(rest) * sizeof(T));
  if (b) std::memcpy(tb, b + i, static_cast<size_t>(rest) * sizeof(T));
  step(ta, b ? tb : nullptr, ty);
  std::memcpy(y + i, ty, static_cast<size_t>(rest) * sizeof(T));
}

}  // namespace octet::kernels
