#pragma once
// Graph passes run before planning and quantization: they remove work an
// inference engine never needs (Identity, inference Dropout), fold
// BatchNormalization into the Conv or Gemm that feeds it, and fuse clamping
// activations into their producer, so that a quantized model keeps Conv+Relu
// in one INT8 kernel instead of a round trip through a separate op.
//
// Every rewrite is local and conservative: an intermediate value is removed
// only when it has exactly one consumer and is not a graph output, and
// weights and BatchNormalization statistics are rewritten only when they are
// initializers. Anything else is left as it was. Node order stays
// topological; graph input and output names never change.
#include <map>
#include <string>

#include "graph/graph.h"
#include "graph/shape_inference.h"

namespace octet::graph {

// A fused activation is stored on the producing node (Conv, Gemm, MatMul,
// Add) as a clamp of its output to [activation_min, activation_max], both
// float attributes in Octet's own namespace; an absent bound is unbounded.
// Relu is min 0; Clip(0, 6) (ReLU6) is min 0, max 6. The ops apply the clamp
// after computing the node's result, so such a node means
// clamp(op(inputs), min, max) wherever it runs (FP32 ops, constant folding);
// a pass that rewrites such a node (quantization) must keep the clamp.
inline constexpr const char* kActivationMin = "octet.activation_min";
inline constexpr const char* kActivationMax = "octet.activation_max";

// Removes Identity, and Dropout in inference mode whose mask is unused,
// rewiring consumers to the input. When the removed output is a graph
// output, the producer of the input is renamed to it instead; when that is
// impossible (the input is a graph input, an initializer or itself a graph
// output) the node is kept.
void remove_identities(Graph& g);

// Folds inference BatchNormalization into a preceding Conv (per output
// channel) or Gemm (per output column), computing the new weights and bias
// in double. The folded tensors are new initializers; the originals are
// dropped when nothing else uses them.
void fold_batch_norm(Graph& g);

// Fuses Relu and Clip with constant bounds (initializers, Constant nodes or,
// before opset 11, attributes) into a preceding Conv, Gemm, MatMul or Add.
void fuse_activations(Graph& g);

// remove_identities, fold_batch_norm, fuse_activations, in that order (an
// Identity between a Conv and its BatchNormalization would block the fold).
void optimize_for_inference(Graph& g);

// Keeps INT8 convolution chains channels-last (graph/pass_nhwc.cpp): each
// 8-bit QLinearConv with a rank-4 input becomes com.microsoft:QLinearConv
// with channels_last = 1, and the 8-bit ops after it that have an NHWC form
// follow it (QLinear(Global)AveragePool with channels_last = 1, MaxPool as
// com.microsoft:NhwcMaxPool, QLinearAdd / QLinearMul of equal shapes,
// QLinearSigmoid, QLinearLeakyRelu). A Transpose to NHWC is inserted on
// the 8-bit input of a chain, one back to NCHW on each NHWC value that
// another node or a graph output reads. A graph without such a conv is left
// unchanged. `infos` are the graph's value infos (infer_shapes); the caller
// infers shapes again afterwards. Graph input and output names never change.
// Returns whether it rewrote anything.
bool keep_int8_nhwc(Graph& g, const std::map<std::string, TensorInfo>& infos);

}  // namespace octet::graph
