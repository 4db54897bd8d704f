#include "engine/op_registry.h"

namespace octet::engine {

void add_qelementwise_ops(OpTable&) {}
void add_qelementwise_prepares(PrepareTable&) {}

}  // namespace octet::engine
