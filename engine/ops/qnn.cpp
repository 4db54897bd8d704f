#include "engine/op_registry.h"

namespace octet::engine {

void add_qnn_ops(OpTable&) {}
void add_qnn_prepares(PrepareTable&) {}

}  // namespace octet::engine
