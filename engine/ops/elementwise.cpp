#include "engine/op_registry.h"

namespace octet::engine {

void add_elementwise_ops(OpTable&) {}

}  // namespace octet::engine
