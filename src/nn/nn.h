/* nn.h - the C ABI over OpenCV's DNN module (implemented in nn_opencv.cpp, the only C++ file).
 *
 * A net is NOT thread-safe (a cv::dnn::Net shared between threads silently gives wrong results):
 * open one per worker thread and never share it. Different nets may run on different threads at once.
 * No C++ exception crosses this ABI: every failure becomes an sb_err with OpenCV's message. */
#ifndef SB_NN_H
#define SB_NN_H

#include "util/err.h"

typedef struct sb_net sb_net_t;

/* A dense float32 tensor, NCHW for images. `data` is malloc'd and owned by whoever holds the tensor. */
typedef struct {
    int ndims;
    int dims[4];
    float *data;
} sb_tensor_t;

/* Number of elements of `t` (product of its dims). */
long sb_tensor_count(const sb_tensor_t *t);

/* Release the data and zero the struct. NULL-safe. */
void sb_tensor_free(sb_tensor_t *t);

/* Load an ONNX (or TensorFlow .pb) file into a new net. The path should come from sb_model_resolve,
 * which has checked it. SB_ERR_MODEL_INVALID when OpenCV cannot parse it. */
sb_err sb_net_open(const char *path, sb_net_t **out, sb_error_t *e);

/* Run the net on `input` (NCHW float32, batch 1) and fill outputs[i] with a copy of the output named
 * output_names[i] (allocated by the call; free each with sb_tensor_free). On failure no output is left
 * allocated. */
sb_err sb_net_forward(sb_net_t *net, const sb_tensor_t *input, const char *const *output_names,
                      int n_outputs, sb_tensor_t *outputs, sb_error_t *e);

/* Free a net. NULL-safe. */
void sb_net_close(sb_net_t *net);

/* Set the number of threads OpenCV may use inside one forward pass (process-wide; call before
 * starting workers). */
void sb_nn_set_threads(int n);

#endif
