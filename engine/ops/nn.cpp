#include "engine/op_registry.h"

namespace octet::engine {

void add_nn_ops(OpTable&) {}

}  // namespace octet::engine
