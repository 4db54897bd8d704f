#include "graph/matmul_dims.h"

#include "graph/error.h"
#include "graph/shape_inference.h"

namespace octet::graph {

namespace {

// Row-major strides of a batch shape, with 0 where the dim is broadcast.
std::vector<int64_t> broadcast_strides(const Shape& own, const Shape& out) {
  std::vector<int64_t> strides(out.size(), 0);
  int64_t stride = 1;
  for (size_t i = own.size(); i-- > 0;) {
    size_t o = out.size() - own.size() + i;
    strides[o] = own[i] == 1 ? 0 : stride;
    stride *= own[i];
  }
  return strides;
}

}  // namespace

MatMulDims matmul_dims(const Shape& a_in, const Shape& b_in, const std::string& where) {
  if (a_in.empty() || b_in.empty()) throw FormatError(where + ": matmul operands must have rank >= 1");
  Shape a = a_in, b = b_in;
  if (a.size() == 1) a.insert(a.begin(), 1);
  if (b.size() == 1) b.push_back(1);
  MatMulDims d;
  d.M = a[a.size() - 2];
  d.K = a[a.size() - 1];
  d.N = b[b.size() - 1];
  if (b[b.size() - 2] != d.K)
    throw FormatError(where + ": matmul shapes " + shape_str(a_in) + " and " + shape_str(b_in) +
                      " differ in the inner dimension");
  Shape a_batch(a.begin(), a.end() - 2), b_batch(b.begin(), b.end() - 2);
  Shape batch = broadcast_shapes(a_batch, b_batch, where);
  d.batches = shape_numel(batch);
  d.a_strides = broadcast_strides(a_batch, batch);
  d.b_strides = broadcast_strides(b_batch, batch);
  d.batch = batch;
  d.output = batch;
  if (a_in.size() > 1) d.output.push_back(d.M);
  if (b_in.size() > 1) d.output.push_back(d.N);
  shape_numel(d.output);
  return d;
}

int64_t MatMulDims::operand_batch(int64_t i, const std::vector<int64_t>& strides) const {
  int64_t index = 0;
  for (size_t k = batch.size(); k-- > 0;) {
    index += (i % batch[k]) * strides[k];
    i /= batch[k];
  }
  return index;
}

MatMulParamLayout matmul_param_layout(const Shape& operand, const Shape& param, bool is_a, const std::string& where) {
  int64_t n = shape_numel(param);
  if (n == 1) return MatMulParamLayout::PerTensor;
  if (operand.size() >= 2) {
    int64_t channels = is_a ? operand[operand.size() - 2] : operand.back();
    if (param.size() == 1 && param[0] == channels) return MatMulParamLayout::PerChannel;
    Shape per_batch = operand;
    per_batch[operand.size() - (is_a ? 1 : 2)] = 1;
    if (param == per_batch) return MatMulParamLayout::PerBatchChannel;
  }
  throw FormatError(where + ": quantization parameter shape " + shape_str(param) + " does not fit " +
                    (is_a ? "per-row" : "per-column") + " quantization of an operand of shape " + shape_str(operand));
}

}  // namespace octet::graph
