#pragma once
// numpy.matmul geometry shared by the shape rules and ops of MatMulInteger
// and QLinearMatMul: 1-D operands are promoted ([K] -> [1, K] for a,
// [K] -> [K, 1] for b, the added dim dropped from the result), leading
// (batch) dims broadcast.
#include <string>
#include <vector>

#include "graph/tensor.h"

namespace octet::graph {

struct MatMulDims {
  int64_t M = 0, N = 0, K = 0;
  Shape output;            // the result's shape
  Shape batch;             // the broadcast batch dims
  int64_t batches = 1;     // their product
  // The operand's own batch index for output batch i (computed, not stored,
  // so a huge batch of empty matrices costs no memory).
  int64_t a_batch(int64_t i) const { return operand_batch(i, a_strides); }
  int64_t b_batch(int64_t i) const { return operand_batch(i, b_strides); }

  std::vector<int64_t> a_strides, b_strides;  // over `batch`, 0 where broadcast

 private:
  int64_t operand_batch(int64_t i, const std::vector<int64_t>& strides) const;
};

// Throws octet::FormatError naming `where` when K differs or batch dims do not broadcast.
MatMulDims matmul_dims(const Shape& a, const Shape& b, const std::string& where);

// How a scale or zero point of a matmul operand is laid out: one value, one
// per row of a / column of b shared by all batches (1-D), or one per row /
// column of every batch (a: a.shape[:-1] + [1]; b: b.shape[:-2] + [1, N]).
enum class MatMulParamLayout { PerTensor, PerChannel, PerBatchChannel };
MatMulParamLayout matmul_param_layout(const Shape& operand, const Shape& param, bool is_a, const std::string& where);

}  // namespace octet::graph
