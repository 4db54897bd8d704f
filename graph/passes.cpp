#include "graph/passes.h"

namespace octet::graph {

// Identities go first: one between a Conv and its BatchNormalization would
// block the fold, and folding first lets a Relu after the BatchNormalization
// fuse into the Conv.
void optimize_for_inference(Graph& g) {
  remove_identities(g);
  fold_batch_norm(g);
  fuse_activations(g);
}

}  // namespace octet::graph
