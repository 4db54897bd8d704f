#include "engine/op_registry.h"

namespace octet::engine {

void add_layout_ops(OpTable&) {}

}  // namespace octet::engine
