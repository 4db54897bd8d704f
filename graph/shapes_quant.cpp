#include "graph/shape_inference.h"

namespace octet::graph {

void add_quant_shape_rules(ShapeRuleTable&) {}

}  // namespace octet::graph
