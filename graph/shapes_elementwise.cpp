#include "graph/shape_inference.h"

namespace octet::graph {

void add_elementwise_shape_rules(ShapeRuleTable&) {}

}  // namespace octet::graph
