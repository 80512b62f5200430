"""Checks for conv_ops.py: convolution as im2col + matmul, the convolution matrix, max pooling, 1-D conv."""
import random

import pytest
import torch
import torch.nn.functional as F

from grader.i18n import _
from grader.mistakes import Mistake, explaining, known
from grader.testing import assert_close, expect_tensor, fail, forbid, random_tensor, same_tensor, shown

# Every public alias of the library ops, so `torch.conv2d(...)`, `F.conv2d(...)`, `nn.Conv2d(...)(x)` and
# `from torch.nn.functional import conv2d` are all caught (the last one through the student's module globals).
CONV2D_OPS = ("torch.nn.functional.conv2d", "torch.conv2d", "torch.convolution", "torch._convolution",
              "torch.nn.Conv2d.forward")
CONV1D_OPS = ("torch.nn.functional.conv1d", "torch.conv1d", "torch.nn.Conv1d.forward") + CONV2D_OPS
MAX_POOL_OPS = ("torch.nn.functional.max_pool2d", "torch.max_pool2d", "torch.nn.functional.max_pool2d_with_indices",
                "torch._C._nn.max_pool2d_with_indices", "torch.nn.MaxPool2d.forward")

CONV_HINT = _("conv2d_unfold must equal F.conv2d: each output pixel is the sum over input channels of the window "
              "times the kernel as it is, plus one bias per output channel; out_h = (H + 2*padding - k) // stride + 1.")
MATRIX_HINT = _("Row r of the matrix is output pixel (r // out_w, r % out_w) and column c is input pixel "
                "(c // w, c % w); the row holds the kernel weights at the columns of its window and zeros elsewhere, "
                "so that matrix @ im.flatten() is the flattened valid convolution.")
POOL_HINT = _("max_pool2d must equal F.max_pool2d: the maximum of every ks x ks window; stride=None means stride=ks, "
              "windows that do not fit at the edge are dropped, and every channel is pooled on its own.")
CONV1D_HINT = _("Output i is (signal[i:i+k] * kernel).sum() for i = 0 .. n-k: a valid cross-correlation of length "
                "n-k+1.")


def view_without_permute(x, weight, bias=None, stride=1, padding=0):
    """im2col from x.unfold(2, k, s).unfold(3, k, s), shape (N, C, out_h, out_w, k, k), viewed as
    (N, C*k*k, out_h*out_w) without moving the window axes in front of the positions first."""
    k = weight.shape[-1]
    windows = F.pad(x, (padding,) * 4).unfold(2, k, stride).unfold(3, k, stride)
    n, _c, out_h, out_w = windows.shape[:4]
    columns = windows.reshape(n, -1, out_h * out_w)
    out = (weight.reshape(len(weight), -1) @ columns).view(n, len(weight), out_h, out_w)
    return out if bias is None else out + bias.view(1, -1, 1, 1)


def _conv(**changes):
    """F.conv2d on the student's arguments with one of them changed by ``changes[name](value, args)``."""
    def wrong(x, weight, bias=None, stride=1, padding=0):
        args = {"input": x, "weight": weight, "bias": bias, "stride": stride, "padding": padding}
        for name, change in changes.items():
            args[name] = change(args[name], args)
        return F.conv2d(**args)
    return wrong


FLIPPED = Mistake("conv_ops", "flipped_kernel", _("the kernel is flipped (a true convolution)"),
                  _conv(weight=lambda w, a: w.flip(-2, -1)), _("F.conv2d multiplies by the kernel as it is."))
WINDOW_TRANSPOSED = Mistake("conv_ops", "window_transposed", _("the window is transposed (rows and columns of each "
                                                               "window swapped)"),
                            _conv(weight=lambda w, a: w.transpose(-2, -1)),
                            _("Unfolded windows list their pixels row by row, as weight.view(C_out, -1) does."))
VIEW_WITHOUT_PERMUTE = Mistake("conv_ops", "im2col_view_without_permute",
                               _("the windows of shape (N, C, out_h, out_w, k, k) are viewed as columns without "
                                 "permute"), view_without_permute,
                               _("Move the window axes before the positions (permute(0, 1, 4, 5, 2, 3)) before the "
                                 "view, or use F.unfold, whose columns are already (C*k*k, out_h*out_w)."))
NO_BIAS = Mistake("conv_ops", "no_bias", _("the bias is left out"), _conv(bias=lambda b, a: None),
                  _("Add bias[:, None] to the (N, C_out, L) product when bias is given."))
BIAS_OVER_WIDTH = Mistake("conv_ops", "bias_broadcast_over_width", _("the bias is added along the width (the last "
                                                                     "axis) instead of per output channel"),
                          lambda x, weight, bias=None, stride=1, padding=0:
                          F.conv2d(x, weight, None, stride, padding) + bias,
                          _("Reshape it first: bias.view(1, -1, 1, 1) on the 4-D result."))
PADDING_IGNORED = Mistake("conv_ops", "padding_ignored", _("the padding argument is ignored"),
                          _conv(padding=lambda p, a: 0),
                          _("Pass padding= to F.unfold: padding zero pixels on each side."))
STRIDE_IGNORED = Mistake("conv_ops", "stride_ignored", _("the stride argument is ignored (the windows move one "
                                                         "pixel at a time)"),
                         _conv(stride=lambda s, a: 1), _("Pass stride= to F.unfold."))
CHANNELS_AVERAGED = Mistake("conv_ops", "colour_channels_averaged", _("the input channels are averaged instead of "
                                                                      "added up"),
                            lambda x, weight, bias=None, stride=1, padding=0:
                            F.conv2d(x, weight, None, stride, padding) / x.shape[1]
                            + (0 if bias is None else bias.view(1, -1, 1, 1)),
                            _("An output pixel is the SUM of the channels' results (Q21)."))
CONV2D_UNFOLD = known(FLIPPED, WINDOW_TRANSPOSED, VIEW_WITHOUT_PERMUTE, NO_BIAS, BIAS_OVER_WIDTH, PADDING_IGNORED,
                      STRIDE_IGNORED, CHANNELS_AVERAGED)


def reference_matrix(kernel, h, w):
    """Column c of the convolution matrix is the (flattened) convolution of the c-th one-pixel image."""
    basis = torch.eye(h * w, dtype=kernel.dtype).view(h * w, 1, h, w)
    return F.conv2d(basis, kernel[None, None]).view(h * w, -1).T


def window_not_shifted_by_row(kernel, h, w):
    kh, kw = kernel.shape
    out_h, out_w = h - kh + 1, w - kw + 1
    matrix = kernel.new_zeros(out_h * out_w, h * w)
    for i in range(out_h):
        for j in range(out_w):
            matrix[i * out_w + j, i * w + j:i * w + j + kh * kw] = kernel.flatten()
    return matrix


MATRIX = known(
    Mistake("conv_ops", "matrix_transposed", _("the matrix is transposed (one row per input pixel)"),
            lambda kernel, h, w: reference_matrix(kernel, h, w).T,
            _("The matrix has one row per output pixel and one column per input pixel.")),
    Mistake("conv_ops", "matrix_window_not_shifted_by_row", _("the kernel's rows are placed side by side instead "
                                                              "of w columns apart"), window_not_shifted_by_row,
            _("Kernel row a of output pixel (i, j) starts at column (i + a) * w + j: image rows are w pixels apart.")))
POOL = known(
    Mistake("conv_ops", "max_pool_default_stride_one", _("stride=None is taken as stride 1 (overlapping windows)"),
            lambda x, ks=2, stride=None: F.max_pool2d(x, ks, stride or 1), _("stride=None means stride=ks.")),
    Mistake("conv_ops", "max_pool_mean", _("each window is averaged instead of taking its maximum"),
            lambda x, ks=2, stride=None: F.avg_pool2d(x.double(), ks, stride), _("Take .amax of each window.")))
FLOAT_BUFFER = Mistake("conv_ops", "max_pool_float_buffer", _("the result is written into a new float tensor"),
                       fix=_("Take the maximum of windows of x itself (x.unfold(...).amax(...)), which keeps the "
                             "input's dtype."))
CONV1D = known(
    Mistake("conv_ops", "conv1d_flipped", _("the 1-D kernel is flipped (a true convolution)"),
            lambda signal, kernel: F.conv1d(signal[None, None], kernel.flip(0)[None, None])[0, 0],
            _("F.conv1d multiplies by the kernel as it is.")),
    Mistake("conv_ops", "conv1d_full", _("the signal is padded with k-1 zeros on both sides (a full convolution)"),
            lambda signal, kernel: F.conv1d(signal[None, None], kernel[None, None], padding=len(kernel) - 1)[0, 0],
            _("The valid cross-correlation has length n-k+1: no padding.")))


def describe(t):
    return shown("tensor", t.shape)


def assert_matches(got, expected, *, call, reference, hint, mistakes=None, atol=1e-5):
    """Like assert_close, for fixed hand-made inputs: the message names the reference op and the first wrong
    position instead of printing the whole expected answer (which a student could copy)."""
    got = expect_tensor(got, call=call)
    mistake = explaining(got, expected, mistakes, lambda a, b: same_tensor(a, b, atol, 1e-5))
    if tuple(got.shape) != tuple(expected.shape):
        fail(_("{call}: expected shape {expected}, got {got}.").format(
            call=call, expected=tuple(expected.shape), got=tuple(got.shape)), hint, mistake)
    got_d, exp_d = got.detach().double(), expected.detach().double()
    if not torch.allclose(got_d, exp_d, atol=atol, rtol=1e-5):
        diff = (got_d - exp_d).abs().nan_to_num(float("inf"))
        index = tuple(int(i) for i in torch.unravel_index(diff.argmax(), diff.shape)) if diff.dim() else ()
        fail(_("{call} should equal {reference}, but it returned {got}, which is off by {diff:.3g} at index "
               "{index}.").format(call=call, reference=reference, got=summarize_short(got),
                                  diff=diff.max().item(), index=index), hint, mistake)


def signal_call(n, k):
    return "conv1d({}, {})".format(_("<signal of length {n}>").format(n=n), _("<kernel of length {k}>").format(k=k))


def summarize_short(t):
    head = ", ".join(f"{v:.4g}" for v in t.detach().flatten()[:4].double().tolist())
    return f"tensor(shape {tuple(t.shape)}: [{head}, ...])" if t.numel() > 4 else f"tensor([{head}])"


# ------------------------------------------------------------------------------------ conv2d_unfold
def chapter_edge_kernels():
    top = [[-1, -1, -1], [0, 0, 0], [1, 1, 1]]
    left = [[-1, 1, 0]] * 3
    return torch.tensor([top, left], dtype=torch.float32)[:, None]  # (2, 1, 3, 3)


@pytest.mark.points(1)
def test_conv2d_unfold_one_channel(student):
    x = torch.stack([torch.arange(1, 50).view(7, 7).float() / 49, random_tensor(7, 7, seed=13)])[:, None]
    weight = chapter_edge_kernels()
    call = "conv2d_unfold({}, {})".format(shown("images", x.shape), _("<top and left edge kernels>"))
    assert_matches(student.conv2d_unfold(x, weight), F.conv2d(x, weight), call=call,
                   reference="F.conv2d(x, weight)", hint=CONV_HINT, mistakes=CONV2D_UNFOLD.on(x, weight))


@pytest.mark.points(1)
def test_colour_image_sums_over_channels(student):
    x, weight = random_tensor(1, 3, 6, 5, seed=21), random_tensor(2, 3, 3, 3, seed=22)
    call = "conv2d_unfold({}, {})".format(_("<colour image of shape {shape}>").format(shape=tuple(x.shape)),
                                           shown("weight", weight.shape))
    assert_matches(student.conv2d_unfold(x, weight), F.conv2d(x, weight), call=call,
                   reference="F.conv2d(x, weight)", hint=CONV_HINT, mistakes=CONV2D_UNFOLD.on(x, weight))


@pytest.mark.points(1)
def test_conv2d_unfold_bias_once_per_output_channel(student):
    x, weight = random_tensor(2, 1, 5, 5, seed=31), random_tensor(3, 1, 3, 3, seed=32)
    bias = random_tensor(3, seed=33) * 5
    call = "conv2d_unfold({}, {}, {})".format(shown("images", x.shape), shown("weight", weight.shape),
                                               _("<{n} biases>").format(n=len(bias)))
    assert_matches(student.conv2d_unfold(x, weight, bias), F.conv2d(x, weight, bias), call=call,
                   reference="F.conv2d(x, weight, bias)", hint=CONV_HINT, mistakes=CONV2D_UNFOLD.on(x, weight, bias))


@pytest.mark.points(1)
def test_conv2d_unfold_padding(student):
    x, weight = random_tensor(1, 1, 5, 6, seed=41), random_tensor(1, 1, 3, 3, seed=42)
    for padding in (1, 2):
        call = f"conv2d_unfold({shown('image', x.shape)}, {shown('weight', weight.shape)}, padding={padding})"
        assert_matches(student.conv2d_unfold(x, weight, padding=padding), F.conv2d(x, weight, padding=padding),
                       call=call, reference=f"F.conv2d(x, weight, padding={padding})", hint=CONV_HINT,
                       mistakes=CONV2D_UNFOLD.on(x, weight, padding=padding))


@pytest.mark.points(1)
def test_conv2d_unfold_stride(student):
    x, weight = random_tensor(1, 1, 7, 8, seed=51), random_tensor(2, 1, 3, 3, seed=52)
    for stride in (2, 3):
        call = f"conv2d_unfold({shown('image', x.shape)}, {shown('weight', weight.shape)}, stride={stride})"
        assert_matches(student.conv2d_unfold(x, weight, stride=stride), F.conv2d(x, weight, stride=stride),
                       call=call, reference=f"F.conv2d(x, weight, stride={stride})", hint=CONV_HINT,
                       mistakes=CONV2D_UNFOLD.on(x, weight, stride=stride))


# Seeded loops rather than hypothesis: every kernel size meets every stride and padding (hypothesis keeps retrying
# the easy cases), and no per-process hypothesis start-up cost in the grading latency budget. Batch size,
# channels, bias and image size vary from case to case, drawn from a seeded generator.
CONV_CASES = [(ks, stride, padding) for ks in (1, 2, 3, 5) for stride in (1, 2, 3) for padding in (0, 1, 2)]


@pytest.mark.points(2)
def test_conv2d_unfold_matches_conv2d(student):
    rng = random.Random(2024)
    for i, (ks, stride, padding) in enumerate(CONV_CASES):
        n, c_in, c_out, with_bias = 1 + i % 2, (1, 3)[i // 2 % 2], 1 + i % 4, i % 3 != 0
        x = random_tensor(n, c_in, ks + rng.randint(0, 4), ks + rng.randint(0, 4), seed=i)
        weight = random_tensor(c_out, c_in, ks, ks, seed=100 + i)
        bias = random_tensor(c_out, seed=200 + i) if with_bias else None
        call = (f"conv2d_unfold({describe(x)}, {describe(weight)}, {describe(bias) if with_bias else None}, "
                f"stride={stride}, padding={padding})")
        assert_close(student.conv2d_unfold(x, weight, bias, stride, padding),
                     F.conv2d(x, weight, bias, stride, padding), call=call, hint=CONV_HINT,
                     mistakes=CONV2D_UNFOLD.on(x, weight, bias, stride, padding))


@pytest.mark.points(1)
def test_conv2d_unfold_does_not_call_conv2d(student):
    x, weight, bias = random_tensor(2, 3, 6, 6, seed=61), random_tensor(4, 3, 3, 3, seed=62), random_tensor(4, seed=63)
    call = "conv2d_unfold({}, {}, {}, stride=2, padding=1)".format(
        shown("images", x.shape), shown("weight", weight.shape), _("<{n} biases>").format(n=len(bias)))
    with forbid(*CONV2D_OPS, call=call,
                        hint=_("Cut the windows out with F.unfold and combine them with the kernels in one matrix "
                               "multiplication (@).")):
        student.conv2d_unfold(x, weight, bias, 2, 1)


# ----------------------------------------------------------------------------------- conv_as_matrix
@pytest.mark.points(1)
def test_conv_as_matrix_2x2_on_3x3(student):
    kernel = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    call = "conv_as_matrix(tensor([[1., 2.], [3., 4.]]), 3, 3)"
    got = expect_tensor(student.conv_as_matrix(kernel, 3, 3), call=call)
    mistake = explaining(got, reference_matrix(kernel, 3, 3), MATRIX.on(kernel, 3, 3),
                         lambda a, b: same_tensor(a, b, 1e-5, 1e-5))
    if tuple(got.shape) != (4, 9):
        fail(_("{call}: expected shape (4, 9) -- one row per output pixel, one column per input pixel -- got "
               "{got}.").format(call=call, got=tuple(got.shape)), MATRIX_HINT, mistake)
    zeros = int((got == 0).sum())
    if zeros != 20:
        fail(_("{call} has {zeros} zeros; the 4x9 matrix should have 20 (4 weights per row, zeros elsewhere).")
             .format(call=call, zeros=zeros), MATRIX_HINT, mistake)
    for row in range(4):
        weights = got[row][got[row] != 0]
        if weights.tolist() != kernel.flatten().tolist():
            fail(_("{call}: row {row} holds the weights {weights}; every row should hold the same 4 kernel weights, "
                   "in the kernel's order (shared weights, Q10).").format(call=call, row=row,
                                                                          weights=weights.tolist()), MATRIX_HINT, mistake)
    assert_matches(got, reference_matrix(kernel, 3, 3), call=call, reference=_("the matrix of F.conv2d"),
                   hint=MATRIX_HINT, mistakes=MATRIX.on(kernel, 3, 3))


@pytest.mark.points(2)
def test_conv_as_matrix_matches_conv2d(student):
    rng = random.Random(7)
    for i, (kh, kw) in enumerate([(kh, kw) for kh in (1, 2, 3) for kw in (1, 2, 3)] + [(3, 3), (2, 3), (3, 1)]):
        h, w = kh + rng.randint(0, 3), kw + rng.randint(0, 3)
        kernel = random_tensor(kh, kw, seed=300 + i)
        assert_close(student.conv_as_matrix(kernel, h, w), reference_matrix(kernel, h, w),
                     call=f"conv_as_matrix({describe(kernel)}, {h}, {w})", hint=MATRIX_HINT,
                     mistakes=MATRIX.on(kernel, h, w))


# --------------------------------------------------------------------------------------- max_pool2d
@pytest.mark.points(1)
def test_max_pool2d_4x4_example(student):
    x = torch.tensor([[1, 2, 5, 6], [3, 4, 7, 8], [9, 10, 13, 14], [11, 12, 15, 16]], dtype=torch.float32)[None, None]
    assert_close(student.max_pool2d(x), F.max_pool2d(x, 2), call="max_pool2d({})".format(_("<the 4x4 docstring example>")),
                 hint=POOL_HINT, mistakes=POOL.on(x))


@pytest.mark.points(1)
def test_max_pool2d_default_stride_is_ks(student):
    x = random_tensor(2, 3, 6, 7, seed=71)
    for ks in (2, 3):
        assert_matches(student.max_pool2d(x, ks), F.max_pool2d(x, ks), call=f"max_pool2d({describe(x)}, {ks})",
                       reference=f"F.max_pool2d(x, {ks})", hint=POOL_HINT, mistakes=POOL.on(x, ks))


@pytest.mark.points(2)
def test_max_pool2d_matches_torch(student):
    rng = random.Random(8)
    for i in range(12):
        ks = 1 + i % 3
        x = random_tensor(rng.randint(1, 2), rng.randint(1, 3), ks + rng.randint(0, 5), ks + rng.randint(0, 5),
                          seed=400 + i)
        for stride in (None, 1, 2, 3):
            assert_close(student.max_pool2d(x, ks, stride), F.max_pool2d(x, ks, stride),
                         call=f"max_pool2d({describe(x)}, ks={ks}, stride={stride})", hint=POOL_HINT,
                         mistakes=POOL.on(x, ks, stride))


@pytest.mark.points(0.5)
def test_max_pool2d_integer_image(student):
    x = torch.randint(0, 256, (1, 2, 6, 6), generator=torch.Generator().manual_seed(81))
    call = "max_pool2d({})".format(_("<int64 images of shape (1, 2, 6, 6), pixels 0-255>"))
    got = student.max_pool2d(x)
    assert_matches(got, F.max_pool2d(x, 2), call=call, reference="F.max_pool2d(x, 2)", hint=POOL_HINT,
                   mistakes=POOL.on(x))
    if got.dtype != x.dtype:
        fail(_("{call} returned dtype {got}; max pooling only picks existing pixels, so it should keep the input's "
               "dtype {expected}.").format(call=call, got=got.dtype, expected=x.dtype),
             mistake=FLOAT_BUFFER if got.is_floating_point() else None)


@pytest.mark.points(1)
def test_max_pool2d_does_not_call_max_pool2d(student):
    x = random_tensor(2, 3, 6, 6, seed=91)
    with forbid(*MAX_POOL_OPS, call=f"max_pool2d({describe(x)}, 2)",
                        hint=_("Cut out the windows with x.unfold(2, ks, stride).unfold(3, ks, stride) and take "
                               ".amax over the last two dimensions.")):
        student.max_pool2d(x, 2)


# ------------------------------------------------------------------------------------------- conv1d
@pytest.mark.points(1)
def test_conv1d_edge_example(student):
    signal, kernel = torch.tensor([1.0, 2.0, 4.0, 7.0]), torch.tensor([-1.0, 1.0])
    expected = F.conv1d(signal[None, None], kernel[None, None])[0, 0]
    assert_close(student.conv1d(signal, kernel), expected, call="conv1d(tensor([1., 2., 4., 7.]), tensor([-1., 1.]))",
                 hint=CONV1D_HINT, mistakes=CONV1D.on(signal, kernel))


@pytest.mark.points(1)
def test_conv1d_matches_conv1d(student):
    rng = random.Random(9)
    for n in range(1, 21):
        k = rng.choice([1, n, rng.randint(1, n)])  # includes a 1-tap kernel and a kernel as long as the signal
        signal, kernel = random_tensor(n, seed=500 + n), random_tensor(k, seed=600 + n)
        assert_close(student.conv1d(signal, kernel), F.conv1d(signal[None, None], kernel[None, None])[0, 0],
                     call=signal_call(n, k), hint=CONV1D_HINT,
                     mistakes=CONV1D.on(signal, kernel))


@pytest.mark.points(1)
def test_conv1d_does_not_call_conv1d(student):
    signal, kernel = random_tensor(10, seed=101), random_tensor(3, seed=102)
    with forbid(*CONV1D_OPS, call=signal_call(10, 3),
                        hint=_("signal.unfold(0, k, 1) gives one window per row; multiply by the kernel and sum.")):
        student.conv1d(signal, kernel)
