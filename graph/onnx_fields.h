#pragma once
// The parts of onnx.proto that the ONNX reader (onnx_import) and writer
// (onnx_export) share: field numbers (ONNX IR version 9), attribute types
// and the TensorProto.DataType mapping. Internal to graph/.
#include <cstdint>

#include "graph/dtype.h"

namespace octet::graph::onnx_fields {

namespace model_field { enum : uint32_t { ir_version = 1, producer_name = 2, graph = 7, opset_import = 8 }; }
namespace opset_field { enum : uint32_t { domain = 1, version = 2 }; }
namespace graph_field {
enum : uint32_t { node = 1, name = 2, initializer = 5, input = 11, output = 12, value_info = 13, sparse_initializer = 15 };
}
namespace node_field { enum : uint32_t { input = 1, output = 2, name = 3, op_type = 4, attribute = 5, domain = 7 }; }
namespace attr_field {
enum : uint32_t {
  name = 1, f = 2, i = 3, s = 4, t = 5, g = 6, floats = 7, ints = 8, strings = 9, tensors = 10, graphs = 11,
  tp = 14, type_protos = 15, type = 20, ref_attr_name = 21, sparse_tensor = 22, sparse_tensors = 23
};
}
namespace tensor_field {
enum : uint32_t {
  dims = 1, data_type = 2, segment = 3, float_data = 4, int32_data = 5, string_data = 6, int64_data = 7,
  name = 8, raw_data = 9, double_data = 10, uint64_data = 11, external_data = 13, data_location = 14
};
}
namespace value_info_field { enum : uint32_t { name = 1, type = 2 }; }
namespace type_field {
enum : uint32_t { tensor_type = 1, sequence_type = 4, map_type = 5, opaque_type = 7, sparse_tensor_type = 8,
                  optional_type = 9 };
}
namespace tensor_type_field { enum : uint32_t { elem_type = 1, shape = 2 }; }
namespace shape_field { enum : uint32_t { dim = 1 }; }
namespace dim_field { enum : uint32_t { dim_value = 1, dim_param = 2 }; }

// AttributeProto.AttributeType.
enum AttrType : int32_t {
  kUndefined = 0, kFloat = 1, kInt = 2, kString = 3, kTensor = 4, kGraph = 5, kFloats = 6, kInts = 7,
  kStrings = 8, kTensors = 9, kGraphs = 10, kSparseTensor = 11, kSparseTensors = 12, kTypeProto = 13,
  kTypeProtos = 14
};

// TensorProto.DataType to Octet's dtype; Undefined for types Octet lacks.
DType dtype_from_onnx(int32_t t);
// And back; 0 (UNDEFINED) for Undefined.
int32_t onnx_dtype(DType t);

}  // namespace octet::graph::onnx_fields
