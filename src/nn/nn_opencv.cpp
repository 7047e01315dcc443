/* nn_opencv.cpp - nn.h over cv::dnn: the only C++ in strobe. Every entry point catches every
 * exception, because a C++ exception unwinding into C frames is undefined behaviour. */
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

extern "C" {
#include "nn/nn.h"
}

struct sb_net {
    cv::dnn::Net net;
};

/* OpenCV's what() wraps the reason in version, file, line and function and would crowd the path out
 * of a 256-byte message: keep only the reason. */
static const char *reason(const std::exception &ex)
{
    const cv::Exception *cv_ex = dynamic_cast<const cv::Exception *>(&ex);
    const char *r = cv_ex && !cv_ex->err.empty() ? cv_ex->err.c_str() : ex.what();
    while (*r == '>' || *r == ' ')
        r++;
    return r;
}

/* A failed CV_Assert spans several "\n> " lines; messages end up in logs and JSON, so join them into
 * one line, in place (no allocation inside a catch handler). */
static sb_err one_line(sb_error_t *e, sb_err code)
{
    if (!e)
        return code;
    char *out = e->message;
    for (const char *in = e->message; *in;) {
        char c = *in++;
        if (c == '\n') {
            while (*in == '>' || *in == ' ')
                in++;
            c = ' ';
        }
        if (c == ' ' && (out == e->message || out[-1] == ' '))
            continue;
        *out++ = c;
    }
    while (out > e->message && out[-1] == ' ')
        out--;
    *out = '\0';
    return code;
}

extern "C" long sb_tensor_count(const sb_tensor_t *t)
{
    long n = 1;
    for (int i = 0; i < t->ndims; i++)
        n *= t->dims[i];
    return n;
}

extern "C" void sb_tensor_free(sb_tensor_t *t)
{
    if (!t)
        return;
    free(t->data);
    memset(t, 0, sizeof *t);
}

extern "C" sb_err sb_net_open(const char *path, sb_net_t **out, sb_error_t *e)
{
    *out = nullptr;
    if (!path)
        return sb_error_set(e, SB_ERR_USAGE, "path", "no model path given");
    try {
        std::unique_ptr<sb_net_t> n(new sb_net_t);
        n->net = cv::dnn::readNet(path);
        if (n->net.empty())
            return sb_error_set(e, SB_ERR_MODEL_INVALID, "", "cannot load '%s': no layers", path);
        n->net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        n->net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
        *out = n.release();
        return SB_OK;
    } catch (const std::exception &ex) { /* cv::Exception derives from std::exception */
        return one_line(e, sb_error_set(e, SB_ERR_MODEL_INVALID, "", "cannot load '%s': %s", path,
                                        reason(ex)));
    } catch (...) {
        return sb_error_set(e, SB_ERR_MODEL_INVALID, "", "cannot load '%s': unknown exception", path);
    }
}

/* Copy one forward output into a fresh float32 tensor. */
static sb_err to_tensor(const cv::Mat &m, const char *name, sb_tensor_t *t, sb_error_t *e)
{
    if (m.dims < 1 || m.dims > 4)
        return sb_error_set(e, SB_ERR_INTERNAL, "", "output '%s' has %d dims (at most 4 supported)",
                            name, m.dims);
    cv::Mat f = m;
    if (m.type() != CV_32F)
        m.convertTo(f, CV_32F);
    if (!f.isContinuous())
        f = f.clone();
    size_t bytes = f.total() * sizeof(float);
    float *data = static_cast<float *>(malloc(bytes ? bytes : 1));
    if (!data)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory copying output '%s'", name);
    if (bytes)
        memcpy(data, f.ptr<float>(), bytes);
    t->ndims = f.dims;
    for (int i = 0; i < 4; i++)
        t->dims[i] = i < f.dims ? f.size[i] : 0;
    t->data = data;
    return SB_OK;
}

extern "C" sb_err sb_net_forward(sb_net_t *net, const sb_tensor_t *input, const char *const *output_names,
                                 int n_outputs, sb_tensor_t *outputs, sb_error_t *e)
{
    if (!net || !input || !input->data || input->ndims < 1 || input->ndims > 4 || n_outputs < 1 ||
        !output_names || !outputs)
        return sb_error_set(e, SB_ERR_USAGE, "", "bad arguments to sb_net_forward");
    for (int i = 0; i < input->ndims; i++)
        if (input->dims[i] < 1)
            return sb_error_set(e, SB_ERR_USAGE, "", "input dim %d is %d", i, input->dims[i]);
    memset(outputs, 0, sizeof *outputs * n_outputs);

    sb_err err = SB_OK;
    try {
        /* setInput copies the blob into the net, so the caller's buffer is only read. */
        cv::Mat blob(input->ndims, input->dims, CV_32F, input->data);
        std::vector<cv::String> names(output_names, output_names + n_outputs);
        std::vector<cv::Mat> outs;
        net->net.setInput(blob);
        net->net.forward(outs, names);
        if ((int)outs.size() != n_outputs)
            err = sb_error_set(e, SB_ERR_INTERNAL, "", "forward gave %zu outputs for %d names",
                               outs.size(), n_outputs);
        for (int i = 0; !err && i < n_outputs; i++)
            err = to_tensor(outs[i], output_names[i], &outputs[i], e);
    } catch (const std::bad_alloc &) {
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory in forward pass");
    } catch (const std::exception &ex) {
        err = one_line(e, sb_error_set(e, SB_ERR_INTERNAL, "", "forward pass failed: %s", reason(ex)));
    } catch (...) {
        err = sb_error_set(e, SB_ERR_INTERNAL, "", "forward pass failed: unknown exception");
    }
    if (err)
        for (int i = 0; i < n_outputs; i++)
            sb_tensor_free(&outputs[i]);
    return err;
}

extern "C" void sb_net_close(sb_net_t *net)
{
    delete net;
}

extern "C" void sb_nn_set_threads(int n)
{
    try {
        cv::setNumThreads(n);
    } catch (...) {
        /* keeps OpenCV's default thread count, which is still correct, only slower or faster */
    }
}
