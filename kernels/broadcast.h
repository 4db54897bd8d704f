#pragma once
// Numpy-style broadcasting as loops. An output shape and two operand shapes
// become a few collapsed dims with per-operand element strides (0 where an
// operand repeats), so any broadcast elementwise op is one inner loop over
// runs that are either contiguous or a single repeated element. Equal
// shapes and scalar operands collapse to one run over the whole output.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace octet::kernels {

enum class BinaryOp { Add, Sub, Mul, Div, PRelu };

struct BroadcastLoop {
  std::vector<int64_t> dims;       // outermost first; never empty
  std::vector<int64_t> a_strides;  // per dim; the innermost is 0 or 1
  std::vector<int64_t> b_strides;
  int64_t a_inner() const { return a_strides.back(); }
  int64_t b_inner() const { return b_strides.back(); }
};

// Each operand shape must broadcast to out_shape (its dims right-aligned,
// each equal to the output's or 1); throws std::invalid_argument otherwise.
BroadcastLoop plan_broadcast(const std::vector<int64_t>& out_shape, const std::vector<int64_t>& a_shape,
                             const std::vector<int64_t>& b_shape);

// Calls run(a_offset, b_offset, out_offset, count) for each innermost run of
// the row-major output; nothing for an empty output.
template <class Run>
void for_each_run(const BroadcastLoop& loop, Run&& run) {
  const size_t rank = loop.dims.size();
  const int64_t count = loop.dims.back();
  for (int64_t d : loop.dims)
    if (d == 0) return;
  std::vector<int64_t> index(rank, 0);
  int64_t a = 0, b = 0, out = 0;
  for (;;) {
    run(a, b, out, count);
    out += count;
    size_t d = rank - 1;
    for (;;) {
      if (d == 0) return;
      --d;
      a += loop.a_strides[d];
      b += loop.b_strides[d];
      if (++index[d] < loop.dims[d]) break;
      a -= loop.a_strides[d] * loop.dims[d];
      b -= loop.b_strides[d] * loop.dims[d];
      index[d] = 0;
    }
  }
}

}  // namespace octet::kernels
