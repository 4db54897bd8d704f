#include "graph/conv_attrs.h"

#include <string>

#include "graph/error.h"

namespace octet::graph {

namespace {

// Dims read from a model are bounded so extent and padding arithmetic below
// can never overflow int64.
constexpr int64_t kMaxGeometryValue = int64_t(1) << 31;

std::string list_str(const std::vector<int64_t>& v) { return shape_str(v); }

[[noreturn]] void fail(const Node& node, const std::string& message) {
  throw FormatError(node.label() + ": " + message);
}

std::vector<int64_t> read_per_dim(const Node& node, const char* key, size_t rank, int64_t fallback,
                                  int64_t min_value) {
  if (!node.has_attr(key)) return std::vector<int64_t>(rank, fallback);
  std::vector<int64_t> v = node.attr_ints(key);
  if (v.size() != rank)
    fail(node, std::string(key) + " " + list_str(v) + " must have " + std::to_string(rank) +
                   " values (one per spatial dim)");
  for (int64_t x : v)
    if (x < min_value || x > kMaxGeometryValue)
      fail(node, std::string(key) + " " + list_str(v) + " must hold values in [" + std::to_string(min_value) +
                     ", 2^31]");
  return v;
}

int64_t product(const Shape& s) {
  int64_t p = 1;
  for (int64_t d : s) p *= d;
  return p;
}

int64_t ceil_div(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }

int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// Fills stride, dilation, pads and out_size once in_size and kernel are set.
void resolve_spatial(const Node& node, SpatialGeometry& g, bool ceil_mode) {
  size_t r = g.rank();
  for (size_t i = 0; i < r; ++i)
    if (g.in_size[i] < 1 || g.in_size[i] > kMaxGeometryValue)
      fail(node, "input spatial dims " + list_str(g.in_size) + " must be in [1, 2^31]");
  g.stride = read_per_dim(node, "strides", r, 1, 1);
  g.dilation = read_per_dim(node, "dilations", r, 1, 1);
  AutoPad mode = read_auto_pad(node);
  g.pad_begin.assign(r, 0);
  g.pad_end.assign(r, 0);
  g.out_size.assign(r, 0);
  if (mode == AutoPad::NotSet && node.has_attr("pads")) {
    std::vector<int64_t> pads = read_per_dim(node, "pads", 2 * r, 0, 0);
    for (size_t i = 0; i < r; ++i) {
      g.pad_begin[i] = pads[i];
      g.pad_end[i] = pads[i + r];
    }
  }
  for (size_t i = 0; i < r; ++i) {
    int64_t extent = g.dilation[i] * (g.kernel[i] - 1) + 1;
    if (mode == AutoPad::SameUpper || mode == AutoPad::SameLower) {
      int64_t out = ceil_div(g.in_size[i], g.stride[i]);
      int64_t total = (out - 1) * g.stride[i] + extent - g.in_size[i];
      if (total < 0) total = 0;
      int64_t small = total / 2;
      g.pad_begin[i] = mode == AutoPad::SameUpper ? small : total - small;
      g.pad_end[i] = total - g.pad_begin[i];
      g.out_size[i] = out;
      continue;
    }
    int64_t span = g.in_size[i] + g.pad_begin[i] + g.pad_end[i] - extent;
    int64_t out = (ceil_mode ? ceil_div(span, g.stride[i]) : floor_div(span, g.stride[i])) + 1;
    // A ceil-mode window must start inside the input or its begin padding
    // (as PyTorch and ONNX Runtime do), never wholly in the end padding.
    if (ceil_mode && out > 1 && (out - 1) * g.stride[i] >= g.in_size[i] + g.pad_begin[i]) --out;
    g.out_size[i] = out;
  }
  for (size_t i = 0; i < r; ++i)
    if (g.out_size[i] < 1)
      fail(node, "output spatial size " + list_str(g.out_size) + " is empty: input " + list_str(g.in_size) +
                     " is smaller than the (dilated) kernel " + list_str(g.kernel) + " plus pads");
}

}  // namespace

AutoPad read_auto_pad(const Node& node) {
  std::string s = node.attr_string("auto_pad", "NOTSET");
  if (s == "NOTSET" || s.empty()) return AutoPad::NotSet;
  if (s == "SAME_UPPER") return AutoPad::SameUpper;
  if (s == "SAME_LOWER") return AutoPad::SameLower;
  if (s == "VALID") return AutoPad::Valid;
  fail(node, "auto_pad '" + s + "' must be NOTSET, SAME_UPPER, SAME_LOWER or VALID");
}

int64_t SpatialGeometry::in_numel() const { return product(in_size); }
int64_t SpatialGeometry::out_numel() const { return product(out_size); }
int64_t SpatialGeometry::kernel_numel() const { return product(kernel); }

bool SpatialGeometry::has_padding() const {
  for (size_t i = 0; i < rank(); ++i)
    if (pad_begin[i] != 0 || pad_end[i] != 0) return true;
  return false;
}

Shape ConvGeometry::output_shape() const {
  Shape s{batch, out_channels};
  s.insert(s.end(), out_size.begin(), out_size.end());
  return s;
}

Shape PoolGeometry::output_shape() const {
  Shape s{batch, channels};
  s.insert(s.end(), out_size.begin(), out_size.end());
  return s;
}

ConvGeometry resolve_conv_geometry(const Node& node, const Shape& x, const Shape& w) {
  if (x.size() < 3) fail(node, "input X " + list_str(x) + " must have rank >= 3 ([N, C, spatial...])");
  if (w.size() != x.size())
    fail(node, "weight W " + list_str(w) + " must have the rank of X " + list_str(x));
  ConvGeometry g;
  g.batch = x[0];
  g.in_channels = x[1];
  g.out_channels = w[0];
  g.group = node.attr_int("group", 1);
  if (g.group < 1) fail(node, "group " + std::to_string(g.group) + " must be >= 1");
  if (g.out_channels < 1 || g.out_channels % g.group != 0)
    fail(node, "weight W " + list_str(w) + ": output channels M = " + std::to_string(g.out_channels) +
                   " must be a positive multiple of group " + std::to_string(g.group));
  if (g.in_channels < 1 || g.in_channels % g.group != 0 || w[1] != g.in_channels / g.group)
    fail(node, "weight W " + list_str(w) + " must be [M, C/group, k...] for input channels C = " +
                   std::to_string(g.in_channels) + " and group " + std::to_string(g.group));
  g.in_size.assign(x.begin() + 2, x.end());
  g.kernel.assign(w.begin() + 2, w.end());
  for (int64_t k : g.kernel)
    if (k < 1 || k > kMaxGeometryValue) fail(node, "weight W " + list_str(w) + " has an invalid kernel size");
  if (node.has_attr("kernel_shape") && node.attr_ints("kernel_shape") != g.kernel)
    fail(node, "kernel_shape " + list_str(node.attr_ints("kernel_shape")) + " does not match weight W " +
                   list_str(w));
  resolve_spatial(node, g, false);
  return g;
}

PoolGeometry resolve_pool_geometry(const Node& node, const Shape& x) {
  if (x.size() < 3) fail(node, "input X " + list_str(x) + " must have rank >= 3 ([N, C, spatial...])");
  PoolGeometry g;
  size_t r = x.size() - 2;
  g.batch = x[0];
  g.channels = x[1];
  g.in_size.assign(x.begin() + 2, x.end());
  if (!node.has_attr("kernel_shape")) fail(node, "attribute kernel_shape is required");
  g.kernel = read_per_dim(node, "kernel_shape", r, 1, 1);
  int64_t ceil_mode = node.attr_int("ceil_mode", 0);
  if (ceil_mode != 0 && ceil_mode != 1) fail(node, "ceil_mode must be 0 or 1");
  g.ceil_mode = ceil_mode == 1;
  resolve_spatial(node, g, g.ceil_mode);
  for (size_t i = 0; i < r; ++i) {
    int64_t extent = g.dilation[i] * (g.kernel[i] - 1) + 1;
    if (g.pad_begin[i] >= extent || g.pad_end[i] >= extent)
      fail(node, "pads must be smaller than the (dilated) kernel " + list_str(g.kernel) + " in every dim");
  }
  return g;
}

}  // namespace octet::graph
