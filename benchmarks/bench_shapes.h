#pragma once
// The layers the kernel benchmark measures: batch-1 linear layers, resnet18's
// convolutions and mobilenet_v2's pointwise and depthwise convolutions, all
// at the models' 224 x 224 input. A convolution's GEMM equivalent (im2col)
// is M = output pixels, K = C/groups * kh * kw, N = output channels.
#include <cstdint>
#include <string>
#include <vector>

namespace octet::bench {

struct GemmShape {
  std::string name;
  int64_t m = 0, k = 0, n = 0;
  int count = 1;       // how many times the model runs this shape
  bool quick = false;  // part of the --quick smoke run

  double macs() const { return double(m) * double(k) * double(n); }
};

// Square NCHW convolution: C -> M channels, kernel x kernel, at size x size.
struct ConvShape {
  std::string name;
  int64_t in_channels = 0, out_channels = 0, size = 0, kernel = 1, stride = 1, pad = 0, groups = 1;
  int count = 1;
  bool quick = false;

  int64_t out_size() const { return (size + 2 * pad - kernel) / stride + 1; }
  GemmShape gemm() const {
    return {name, out_size() * out_size(), in_channels / groups * kernel * kernel, out_channels, count, quick};
  }
  // Each output channel sums over its group's C/groups channels only.
  double macs() const { return double(out_size() * out_size()) * double(in_channels / groups * kernel * kernel) * double(out_channels); }
};

inline std::vector<GemmShape> linear_shapes() {
  std::vector<GemmShape> v;
  for (int64_t m : {1, 64})
    for (int64_t kn : {256, 512, 1024, 2048, 4096})
      v.push_back({"linear M=" + std::to_string(m) + " K=N=" + std::to_string(kn), m, kn, kn, 1, kn == 256});
  v.push_back({"resnet18 fc 512->1000", 1, 512, 1000});
  v.push_back({"mobilenet_v2 fc 1280->1000", 1, 1280, 1000});
  return v;
}

// torchvision resnet18: every convolution, counted (each BasicBlock has two
// 3x3 convs; the first block of layers 2-4 strides by 2 and has a 1x1
// stride-2 downsample).
inline std::vector<ConvShape> resnet18_convs() {
  return {
      {"resnet18 conv1 7x7/2 3->64 @224", 3, 64, 224, 7, 2, 3, 1, 1},
      {"resnet18 layer1 3x3 64->64 @56", 64, 64, 56, 3, 1, 1, 1, 4},
      {"resnet18 layer2 3x3/2 64->128 @56", 64, 128, 56, 3, 2, 1, 1, 1},
      {"resnet18 layer2 3x3 128->128 @28", 128, 128, 28, 3, 1, 1, 1, 3},
      {"resnet18 layer2 down 1x1/2 64->128 @56", 64, 128, 56, 1, 2, 0, 1, 1},
      {"resnet18 layer3 3x3/2 128->256 @28", 128, 256, 28, 3, 2, 1, 1, 1},
      {"resnet18 layer3 3x3 256->256 @14", 256, 256, 14, 3, 1, 1, 1, 3},
      {"resnet18 layer3 down 1x1/2 128->256 @28", 128, 256, 28, 1, 2, 0, 1, 1},
      {"resnet18 layer4 3x3/2 256->512 @14", 256, 512, 14, 3, 2, 1, 1, 1},
      {"resnet18 layer4 3x3 512->512 @7", 512, 512, 7, 3, 1, 1, 1, 3, true},
      {"resnet18 layer4 down 1x1/2 256->512 @14", 256, 512, 14, 1, 2, 0, 1, 1, true},
  };
}

// torchvision mobilenet_v2 (width 1.0): inverted residual blocks
// (expansion t, channels c, repeats n, first stride s) = (1,16,1,1)
// (6,24,2,2) (6,32,3,2) (6,64,4,2) (6,96,3,1) (6,160,3,2) (6,320,1,1), each
// an expand 1x1 (absent when t = 1), a depthwise 3x3 and a project 1x1,
// then a 1x1 320->1280. Shapes are listed once with their count.
inline std::vector<ConvShape> mobilenet_v2_pointwise() {
  return {
      {"mobilenet_v2 pw 32->16 @112", 32, 16, 112, 1, 1, 0, 1, 1},
      {"mobilenet_v2 pw 16->96 @112", 16, 96, 112, 1, 1, 0, 1, 1},
      {"mobilenet_v2 pw 96->24 @56", 96, 24, 56, 1, 1, 0, 1, 1},
      {"mobilenet_v2 pw 24->144 @56", 24, 144, 56, 1, 1, 0, 1, 2},
      {"mobilenet_v2 pw 144->24 @56", 144, 24, 56, 1, 1, 0, 1, 1},
      {"mobilenet_v2 pw 144->32 @28", 144, 32, 28, 1, 1, 0, 1, 1},
      {"mobilenet_v2 pw 32->192 @28", 32, 192, 28, 1, 1, 0, 1, 3},
      {"mobilenet_v2 pw 192->32 @28", 192, 32, 28, 1, 1, 0, 1, 2},
      {"mobilenet_v2 pw 192->64 @14", 192, 64, 14, 1, 1, 0, 1, 1},
      {"mobilenet_v2 pw 64->384 @14", 64, 384, 14, 1, 1, 0, 1, 4},
      {"mobilenet_v2 pw 384->64 @14", 384, 64, 14, 1, 1, 0, 1, 3},
      {"mobilenet_v2 pw 384->96 @14", 384, 96, 14, 1, 1, 0, 1, 1},
      {"mobilenet_v2 pw 96->576 @14", 96, 576, 14, 1, 1, 0, 1, 3},
      {"mobilenet_v2 pw 576->96 @14", 576, 96, 14, 1, 1, 0, 1, 2},
      {"mobilenet_v2 pw 576->160 @7", 576, 160, 7, 1, 1, 0, 1, 1},
      {"mobilenet_v2 pw 160->960 @7", 160, 960, 7, 1, 1, 0, 1, 3, true},
      {"mobilenet_v2 pw 960->160 @7", 960, 160, 7, 1, 1, 0, 1, 2},
      {"mobilenet_v2 pw 960->320 @7", 960, 320, 7, 1, 1, 0, 1, 1},
      {"mobilenet_v2 pw 320->1280 @7", 320, 1280, 7, 1, 1, 0, 1, 1},
  };
}

inline std::vector<ConvShape> mobilenet_v2_depthwise() {
  return {
      {"mobilenet_v2 dw 3x3 32 @112", 32, 32, 112, 3, 1, 1, 32, 1},
      {"mobilenet_v2 dw 3x3/2 96 @112", 96, 96, 112, 3, 2, 1, 96, 1},
      {"mobilenet_v2 dw 3x3 144 @56", 144, 144, 56, 3, 1, 1, 144, 1},
      {"mobilenet_v2 dw 3x3/2 144 @56", 144, 144, 56, 3, 2, 1, 144, 1},
      {"mobilenet_v2 dw 3x3 192 @28", 192, 192, 28, 3, 1, 1, 192, 2},
      {"mobilenet_v2 dw 3x3/2 192 @28", 192, 192, 28, 3, 2, 1, 192, 1},
      {"mobilenet_v2 dw 3x3 384 @14", 384, 384, 14, 3, 1, 1, 384, 4},
      {"mobilenet_v2 dw 3x3 576 @14", 576, 576, 14, 3, 1, 1, 576, 2},
      {"mobilenet_v2 dw 3x3/2 576 @14", 576, 576, 14, 3, 2, 1, 576, 1},
      {"mobilenet_v2 dw 3x3 960 @7", 960, 960, 7, 3, 1, 1, 960, 3, true},
  };
}

}  // namespace octet::bench
