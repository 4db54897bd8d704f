/* Classifies one handwritten digit with Octet's C API:
 *
 *   classify_digit MODEL     (models/bundled/digits_cnn.onnx, or an INT8
 *                             .octet made from it by `octet quantize`)
 *
 * prints the digit and its logit. The image is the first of
 * models/bundled/digits_input.npy (scikit-learn's digits: 8x8 pixels in
 * sixteenths), a 9. */
#include <octet.h>
#include <stdio.h>

static const unsigned char kNine[64] = {
    0, 1, 11, 16, 11, 1,  0, 0,  /* */
    0, 6, 11, 16, 16, 7,  0, 0,  /* */
    0, 1, 2,  9,  16, 11, 0, 0,  /* */
    0, 2, 14, 12, 16, 12, 0, 0,  /* */
    0, 0, 3,  8,  4,  13, 4, 0,  /* */
    0, 0, 0,  0,  0,  10, 8, 0,  /* */
    0, 0, 4,  12, 16, 14, 6, 0,  /* */
    0, 0, 14, 8,  4,  0,  0, 0};

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: classify_digit MODEL\n");
    return 2;
  }
  float image[64], logits[10];
  for (int i = 0; i < 64; ++i) image[i] = kNine[i] / 16.0f;

  octet_model* model = NULL;
  octet_tensor x = {OCTET_FLOAT32, 4, {1, 1, 8, 8}, image, sizeof image};
  octet_tensor y = {OCTET_UNDEFINED, 0, {0}, logits, sizeof logits};
  if (octet_model_load(argv[1], NULL, &model) != OCTET_OK || octet_model_run(model, &x, 1, &y, 1) != OCTET_OK) {
    fprintf(stderr, "classify_digit: %s\n", octet_last_error());
    octet_model_free(model);
    return 1;
  }
  octet_model_free(model);

  int best = 0;
  for (int c = 1; c < 10; ++c)
    if (logits[c] > logits[best]) best = c;
  printf("digit %d (logit %.3f)\n", best, logits[best]);
  return 0;
}
