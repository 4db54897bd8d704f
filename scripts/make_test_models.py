#!/usr/bin/python3
"""Writes the small ONNX files that tests/onnx_import_test.cpp reads, into
tests/data/ (or OUT_DIR). Run with Debian's python3-onnx:

    /usr/bin/python3 scripts/make_test_models.py [OUT_DIR]

Values follow formulas the C++ test recomputes (all exact in float32), and
the models exercise the encodings exporters use: raw_data and typed fields,
weights listed among the graph inputs, a symbolic batch dim, attributes of
every supported kind."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def ramp(n, step, offset):
    """i * step + offset for i in 0..n-1: the formula the test checks."""
    return (np.arange(n, dtype=np.float64) * step + offset).astype(np.float32)


def conv_relu_gemm():
    """Conv -> Relu -> Reshape -> Gemm on a [batch, 3, 8, 8] input.

    W: raw_data (numpy_helper), B: float_data, shape: int64_data,
    G: float_data, C: raw_data. W is also listed as a graph input, as old
    exporters did."""
    w = numpy_helper.from_array(ramp(4 * 3 * 3 * 3, 0.125, -6.0).reshape(4, 3, 3, 3), "W")
    b = helper.make_tensor("B", TensorProto.FLOAT, [4], [0.5, -0.25, 1.0, 2.0])
    shape = helper.make_tensor("shape", TensorProto.INT64, [2], [-1, 64])
    g = helper.make_tensor("G", TensorProto.FLOAT, [5, 64], ramp(5 * 64, 0.0625, -10.0).tolist())
    c = numpy_helper.from_array(np.array([1, 2, 3, 4, 5], dtype=np.float32), "C")
    assert w.HasField("raw_data") and not b.HasField("raw_data") and not g.HasField("raw_data")

    nodes = [
        helper.make_node("Conv", ["x", "W", "B"], ["conv"], name="conv1", kernel_shape=[3, 3],
                         pads=[1, 1, 1, 1], strides=[2, 2], group=1, auto_pad="NOTSET"),
        helper.make_node("Relu", ["conv"], ["relu"], name="relu1"),
        helper.make_node("Reshape", ["relu", "shape"], ["flat"], name="reshape1"),
        helper.make_node("Gemm", ["flat", "G", "C"], ["y"], name="fc", alpha=0.5, beta=1.0, transB=1),
    ]
    inputs = [
        helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3, 8, 8]),
        helper.make_tensor_value_info("W", TensorProto.FLOAT, [4, 3, 3, 3]),
    ]
    outputs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 5])]
    value_info = [helper.make_tensor_value_info("conv", TensorProto.FLOAT, ["batch", 4, 4, 4])]
    graph = helper.make_graph(nodes, "conv_relu_gemm", inputs, outputs, [w, b, shape, g, c],
                              value_info=value_info)
    model = helper.make_model(graph, producer_name="octet-test", opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    # Nodes are written out of order (after the checker, which wants them
    # sorted): import must sort them.
    order = [1, 0, 3, 2]
    shuffled = [model.graph.node[i] for i in order]
    del model.graph.node[:]
    model.graph.node.extend(shuffled)
    return model


def dtypes():
    """One initializer per supported type, each in typed fields or raw_data,
    passed through Identity; a Constant with a tensor attribute; a node with
    floats/ints/strings attributes (a custom attribute on Identity is kept as
    read: import does not validate attributes)."""
    inits = [
        helper.make_tensor("i8", TensorProto.INT8, [4], [-128, -1, 0, 127]),
        numpy_helper.from_array(np.array([0, 1, 200, 255], dtype=np.uint8), "u8"),
        helper.make_tensor("u8_typed", TensorProto.UINT8, [2], [7, 250]),
        helper.make_tensor("b", TensorProto.BOOL, [3], [True, False, True]),
        numpy_helper.from_array(np.array([True, False], dtype=np.bool_), "b_raw"),
        helper.make_tensor("i32", TensorProto.INT32, [2, 2], [-2147483648, -5, 6, 2147483647]),
        numpy_helper.from_array(np.array([[-7, 8]], dtype=np.int32), "i32_raw"),
        numpy_helper.from_array(np.array([-(2 ** 40), 3], dtype=np.int64), "i64_raw"),
        helper.make_tensor("d", TensorProto.DOUBLE, [2], [0.1, -2.5]),
        helper.make_tensor("scalar", TensorProto.FLOAT, [], [3.5]),
        helper.make_tensor("empty", TensorProto.FLOAT, [0, 3], []),
    ]
    nodes = [helper.make_node("Identity", [t.name], [t.name + "_out"]) for t in inits]
    outputs = [helper.make_tensor_value_info(t.name + "_out", t.data_type, t.dims) for t in inits]
    value = helper.make_tensor("value", TensorProto.FLOAT, [2, 3], ramp(6, 0.5, -1.0).tolist())
    nodes.append(helper.make_node("Constant", [], ["const_out"], name="const", value=value))
    outputs.append(helper.make_tensor_value_info("const_out", TensorProto.FLOAT, [2, 3]))
    graph = helper.make_graph(nodes, "dtypes", [], outputs, inits)
    model = helper.make_model(graph, producer_name="octet-test", opset_imports=[helper.make_opsetid("", 11)])
    onnx.checker.check_model(model)
    # Changed after the checker, which refuses them though ONNX allows them:
    # "ai.onnx" naming the default domain, attributes Identity does not
    # define (import does not validate attributes), an untyped output.
    model.opset_import[0].domain = "ai.onnx"
    model.graph.node[0].domain = "ai.onnx"
    model.graph.node.append(helper.make_node("Identity", ["const_out"], ["attrs_out"], name="attrs",
                                             floats=[1.5, -2.0], ints=[3, -4, 5], strings=["a", "bc"],
                                             f=0.25, i=-9))
    model.graph.output.append(helper.make_empty_tensor_value_info("attrs_out"))
    return model


def tensor_pb():
    """A lone TensorProto, as in the backend test data sets."""
    return numpy_helper.from_array(ramp(24, 0.25, -3.0).reshape(2, 3, 4), "t")


def save(data, path):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "tests", "data")
    os.makedirs(out, exist_ok=True)
    for name, model in (("conv_relu_gemm.onnx", conv_relu_gemm()), ("dtypes.onnx", dtypes())):
        save(model.SerializeToString(), os.path.join(out, name))
    save(tensor_pb().SerializeToString(), os.path.join(out, "tensor_f32.pb"))


if __name__ == "__main__":
    main()
