/* nn.h - neural-net inference over ONNX Runtime's C API (nn_ort.c).
 *
 * A net is one ONNX Runtime session. sb_net_forward may be called on the same net from several threads at
 * once (ONNX Runtime sessions are thread-safe for Run), so a process needs one net per model: models.h's
 * sb_model_session hands out that shared net. Failures become an sb_err with ONNX Runtime's message. */
#ifndef SB_NN_H
#define SB_NN_H

#include "util/err.h"

typedef struct sb_net sb_net_t;

/* The most outputs one sb_net_forward may ask for (YuNet needs 12). */
#define SB_NET_OUTPUTS_MAX 16

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

/* sb_net_open flags, for the large nets (measured in docs/BENCHMARKS.md, "Inference on ONNX Runtime").
 * SB_NET_BASIC_OPT: basic graph optimisations only. ONNX Runtime's layout optimisations keep a second,
 * reordered copy of every convolution's weights: +101 and +127 MB for the two 44 MB CartoonGAN nets, against
 * +45 MB with basic ones, for about 5% of their speed (u2netp, by contrast, loses 30%).
 * SB_NET_NO_MEM_PATTERN: no memory pattern (one block planned for all of a pass's activations): u2netp's is
 * about 200 MB at 320x320, and the arena alone runs it as fast.
 * SB_NET_NO_ARENA: no arena either, so nothing is kept between forward passes: for the rarely run Hayao
 * (an arena keeps a pass's activations, at 512x512, for the life of the process). Not for u2netp or Hosoda:
 * without an arena each pass maps and faults in its activations anew (u2netp twice as slow, the anime
 * avatar 954 -> 749 ms with Hosoda's arena, which then holds about 100 MB once an anime avatar was made). */
#define SB_NET_BASIC_OPT 1u
#define SB_NET_NO_MEM_PATTERN 2u
#define SB_NET_NO_ARENA 4u
/* SB_NET_HOLD_ARENA: the arena keeps what a pass grew it to. Without this flag, every pass gives its arena's
 * free regions back to the C heap at its end (ONNX Runtime's arena shrinkage), which the server's pool trims
 * when it goes idle: with two workers running the small nets of a headshot at once, held arenas grew the
 * server by 50-80 MB that never came back (make bench-http: peak 411 -> 358 MB at 8 clients, 279 -> 224 MB
 * a minute after the burst, the same throughput). For u2netp and Hosoda, whose passes need 100-200 MB and
 * would fault those pages in again on every pass (see SB_NET_NO_ARENA). */
#define SB_NET_HOLD_ARENA 8u
#define SB_NET_LEAN (SB_NET_BASIC_OPT | SB_NET_NO_MEM_PATTERN | SB_NET_NO_ARENA)

/* Load an ONNX file into a new net (an ONNX Runtime session with the thread count of sb_nn_set_threads at
 * this moment; `flags` as above, 0 for the default). The path should come from sb_model_resolve, which has
 * checked it. SB_ERR_MODEL_INVALID when ONNX Runtime cannot load it, SB_ERR_INTERNAL when ONNX Runtime itself
 * cannot start. Thread-safe. */
sb_err sb_net_open(const char *path, unsigned flags, sb_net_t **out, sb_error_t *e);

/* Run the net on `input` (float32, batch 1; ONNX Runtime only reads it) and fill outputs[i] with a copy of the
 * output named output_names[i] (1..SB_NET_OUTPUTS_MAX of them; allocated by the call, free each with
 * sb_tensor_free). Outputs must be float32 with 1 to 4 dims. On failure no output is left allocated.
 * Thread-safe: several threads may run the same net at once. */
sb_err sb_net_forward(sb_net_t *net, const sb_tensor_t *input, const char *const *output_names, int n_outputs,
                      sb_tensor_t *outputs, sb_error_t *e);

/* Free a net. NULL-safe. No forward may be running on it. */
void sb_net_close(sb_net_t *net);

/* Set how many threads one forward pass may use (clamped to 1..64; the default is one per online core, right
 * for one request at a time: the CLI, the benches). It applies to nets opened after the call, so set it
 * before the first net is opened (process start). Thread-safe. */
void sb_nn_set_threads(int n);

/* The thread count sb_nn_set_threads set (what nets opened now get). */
int sb_nn_threads(void);

/* The ONNX Runtime library's version, e.g. "1.30.0". Static storage. */
const char *sb_nn_version(void);

/* Keep ONNX Runtime from calling home: its Linux build (1.30, npm) sends usage telemetry to Microsoft's event
 * collector from any process that opened a session, unless ORT_DISABLE_TELEMETRY is set when the first
 * session is created (DisableTelemetryEvents does not stop it). Sets ORT_DISABLE_TELEMETRY=1 unless the
 * environment already sets it. Changes the environment: call from main before any thread starts, as the
 * CLI does. */
void sb_nn_no_telemetry(void);

#endif
