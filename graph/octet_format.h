#pragma once
// The .octet model file: a Graph as Octet holds it (weights canonical: int8
// or float as the graph has them; prepacking is the session's job at load,
// so one file serves x86 and ARM), with every tensor's data 64-byte aligned.
//
// Format version 1. All integers little-endian; strings are UTF-8 bytes
// without a terminator; "str" is a u32 index into the string table.
//
//   header (64 bytes)
//     0  magic "OCTET\0\0\0"       8 bytes
//     8  u32 version               1
//    12  u32 flags                 0 (no flag is defined in version 1)
//    16  u64 file_size             the whole file
//    24  u64 meta_offset           64
//    32  u64 meta_size
//    40  u64 data_offset           64-aligned, >= meta_offset + meta_size
//    48  u64 data_size             data_offset + data_size == file_size
//    56  u64 reserved              0
//   meta (meta_offset .. + meta_size), read in order, nothing left over:
//     strings:  u64 count, then per string: u64 length, bytes
//     tensors:  u64 count, then per tensor:
//                 str name; u32 role (0 initializer, 1 attribute tensor);
//                 u32 dtype (graph::DType's numbering); u32 rank;
//                 i64 dims[rank];
//                 u64 n_scale, f32 scale[n_scale];
//                 u64 n_zero_point, i32 zero_point[n_zero_point]; i32 axis;
//                 u64 offset (from data_offset, 64-aligned); u64 byte_size
//     graph:    str name; str producer; i64 opset;
//               u64 n, value_info[n]         inputs
//               u64 n, value_info[n]         outputs
//               u64 n, value_info[n]         value_info (intermediates)
//               u64 n, node[n]
//       value_info: str name; u32 dtype; u32 has_shape; u32 rank;
//                   i64 dims[rank] (-1 symbolic); u64 n, str dim_params[n]
//       node: str name; str op_type; str domain; i64 opset;
//             u64 n, str inputs[n]; u64 n, str outputs[n];
//             u64 n, attribute[n]
//       attribute: str key; u32 kind (Attribute::Kind's numbering), then
//             Float f32 | Int i64 | String str | Tensor u32 tensor index |
//             Floats u64 n, f32[n] | Ints u64 n, i64[n] | Strings u64 n, str[n]
//   data (data_offset .. + data_size): each tensor's bytes at its offset,
//     row-major, zero padding between tensors.
//
// Initializers are the tensors of role 0, keyed by their names.
#include <string>

#include "graph/graph.h"

namespace octet::graph {

constexpr uint32_t kOctetFormatVersion = 1;

// Writes to a temporary name beside `path` and renames it into place, so a
// failure never leaves a half-written model. Throws octet::Error.
void save_octet(const Graph& graph, const std::string& path);

// Every size, offset, count, index, dtype and shape is checked before use;
// damage gives octet::FormatError naming the file and the field. Tensors
// point into a private (copy-on-write) mapping of the file instead of
// copying the weights; the mapping lives until the last of them is gone.
// Like any mapped file, one truncated by another process while in use can
// end the process with SIGBUS; Octet's own save renames a new file into
// place, which never touches a mapping already made.
Graph load_octet(const std::string& path);

// The same from a model in memory (`source` names it in errors). The bytes
// are copied (aligned), so the caller's buffer may go once this returns.
Graph load_octet(const uint8_t* data, size_t size, const std::string& source);
bool is_octet_data(const uint8_t* data, size_t size);

// Tells the OS that t's bytes will not be read again for a while, when they
// lie in a file g maps (load_octet from a path): the whole pages inside t
// leave the process's resident memory (clean ones are dropped, to be read
// from the file again if touched). A hint: the bytes stay what they were;
// nothing happens for tensors in ordinary memory. The session calls it for
// weights a kernel has prepacked, so a model is not resident twice.
void release_mapped_pages(const Graph& g, const Tensor& t);

// True when the file starts with the .octet magic (how Session tells a
// .octet from an .onnx file, whatever the extension). False when it cannot
// be read; the loader then reports why.
bool is_octet_file(const std::string& path);

}  // namespace octet::graph
