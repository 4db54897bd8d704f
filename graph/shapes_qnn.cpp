#include "graph/shape_inference.h"

namespace octet::graph {

void add_qnn_shape_rules(ShapeRuleTable&) {}

}  // namespace octet::graph
