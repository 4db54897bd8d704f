#pragma once
// How the commands that run a model open it: an ONNX or .octet file (by its
// bytes), with its QDQ groups (DequantizeLinear -> op -> QuantizeLinear, as
// quantization-aware training and other quantizers export them) moved onto
// Octet's INT8 kernels by quant::import_qdq, then a session.
#include <string>

#include "engine/session.h"
#include "tools/cli_args.h"

namespace octet::cli {

// The session options a command's --threads N asks for (1 to 256; more is
// a typo, not a machine, since each is a started thread).
engine::SessionOptions session_options(const ParsedArgs& a);

engine::Session open_session(const std::string& path, engine::SessionOptions options = {});

}  // namespace octet::cli
