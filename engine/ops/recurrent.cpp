#include "engine/op_registry.h"

namespace octet::engine {

void add_recurrent_ops(OpTable&) {}

}  // namespace octet::engine
