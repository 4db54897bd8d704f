import numpy as np, torch, torch.nn.functional as F
torch.set_default_dtype(torch.float64)
def gen(shape, k):
    n = int(np.prod(shape))
    return (np.sin(0.37*np.arange(n) + k)*0.6).reshape(shape)
def T(a): return torch.tensor(a)
def emit(name, arr):
    a = np.asarray(arr).ravel()
    if a.dtype.kind == 'f':
        s = ", ".join("%.7gf" % v for v in a)
    else:
        s = ", ".join(str(int(v)) for v in a)
    print("// shape", list(np.asarray(arr).shape))
    print("const std::vector<%s> %s = {%s};" % ("float" if a.dtype.kind=='f' else "int64_t", name, s))

# 1. conv 2D grouped, strided, dilated, asymmetric pads, bias
x = gen((1,4,7,6), 0.0); w = gen((6,2,3,2), 1.0); b = gen((6,), 2.0)
xp = F.pad(T(x), (0,1,1,2))  # pads [h_b=1, w_b=0, h_e=2, w_e=1]: F.pad order (w_b,w_e,h_b,h_e)
y = F.conv2d(xp, T(w), T(b), stride=(2,1), dilation=(2,1), groups=2)
emit("kConv2dExpected", y.numpy())
# 2. conv 1D SAME_UPPER, stride 2, kernel 4: in 9 -> out 5, total pad (5-1)*2+4-9 = 3 -> begin 1, end 2
x = gen((2,3,9), 0.5); w = gen((2,3,4), 1.5)
y = F.conv1d(F.pad(T(x),(1,2)), T(w), stride=2)
emit("kConv1dSameUpper", y.numpy())
y = F.conv1d(F.pad(T(x),(2,1)), T(w), stride=2)
emit("kConv1dSameLower", y.numpy())
# 3. pointwise conv (no im2col path), 2 groups
x = gen((2,4,3,2), 0.2); w = gen((2,2,1,1), 0.9); b = np.array([0.5,-0.25])
y = F.conv2d(T(x), T(w), T(b), groups=2)
emit("kConvPointwise", y.numpy())
# 4. 3D depthwise with pads 1 at begin only
x = gen((1,2,3,4,3), 0.3); w = gen((2,1,2,2,2), 0.7)
y = F.conv3d(F.pad(T(x),(1,0,1,0,1,0)), T(w), groups=2)
emit("kConv3dDepthwise", y.numpy())
# 5. gemm transA transB alpha beta, C [N]
a = gen((4,3), 0.1); bb = gen((5,4), 0.4); c = gen((5,), 0.8)
y = 0.5 * a.T @ bb.T + 2.0 * c
emit("kGemmExpected", y)
# 6. matmul broadcasting
a = gen((3,), 0.0); bb = gen((2,3,4), 1.0)
emit("kMatMulVecBatch", np.matmul(a, bb))
a = gen((2,1,2,3), 0.2); bb = gen((3,3,2), 0.6)
emit("kMatMulBroadcast", np.matmul(a, bb))
# 7. maxpool 2D pads 1, strides 2, dilation 2 (kernel 3 -> extent 5), ceil_mode
x = gen((1,2,8,7), 0.0)
y, idx = F.max_pool2d(T(x), kernel_size=3, stride=2, padding=1, dilation=2, ceil_mode=True, return_indices=True)
emit("kMaxPoolExpected", y.numpy())
H, W = 8, 7
idx = idx.numpy()
plane = np.arange(2).reshape(1,2,1,1) * H * W
emit("kMaxPoolIndices", idx + plane)
emit("kMaxPoolIndicesColMajor", (idx % W) * H + idx // W + plane)
# 8. avgpool 2D kernel 3x2, strides 2, pads 1, ceil mode, both count_include_pad
x = gen((1,1,6,5), 0.4)
y = F.avg_pool2d(T(x), kernel_size=(3,2), stride=2, padding=1, ceil_mode=True, count_include_pad=False)
emit("kAvgPoolExclude", y.numpy())
y = F.avg_pool2d(T(x), kernel_size=(3,2), stride=2, padding=1, ceil_mode=True, count_include_pad=True)
emit("kAvgPoolInclude", y.numpy())
# 9. batchnorm eval
x = gen((2,3,2,2), 0.0); s = gen((3,),1.0); bias = gen((3,),2.0); m = gen((3,),3.0); v = np.abs(gen((3,),4.0)) + 0.1
y = F.batch_norm(T(x), T(m), T(v), T(s), T(bias), training=False, eps=1e-3)
emit("kBatchNormExpected", y.numpy())
# 10. layernorm axis 1 on [2,3,4], scale [3,4], bias [4] (broadcast)
x = gen((2,3,4), 0.5) * 3 + 1; s = gen((3,4), 1.2); bias = gen((4,), 2.2)
mean = x.reshape(2,-1).mean(1); var = x.reshape(2,-1).var(1); inv = 1/np.sqrt(var + 1e-2)
y = (x - mean.reshape(2,1,1)) * inv.reshape(2,1,1) * s + bias
emit("kLayerNormExpected", y)
emit("kLayerNormMean", mean.reshape(2,1,1))
emit("kLayerNormInvStd", inv.reshape(2,1,1))
# 11. global pools
x = gen((2,3,2,3), 0.9)
emit("kGlobalAvg", x.mean(axis=(2,3)))
emit("kGlobalMax", x.max(axis=(2,3)))
