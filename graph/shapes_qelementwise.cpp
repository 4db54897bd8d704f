#include "graph/shape_inference.h"

namespace octet::graph {

void add_qelementwise_shape_rules(ShapeRuleTable&) {}

}  // namespace octet::graph
