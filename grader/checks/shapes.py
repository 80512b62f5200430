"""Checks for shapes.py: the conv output-size formula, NCHW shapes, to_nchw and the receptive field."""
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from grader.i18n import _
from grader.mistakes import Mistake, known
from grader.testing import assert_close, assert_equal, expect_exception, fail, random_tensor, randomized, shown

FORMULA_HINT = _("The formula is (n + 2*padding - ks) // stride + 1: padding is added on both sides, and the "
                 "division rounds down (use //, and return an int).")


PADDING_ONCE = Mistake("shapes", "padding_once", _("padding is counted on one side only, n + padding - ks"),
                       lambda n, ks, stride=1, padding=0: (n + padding - ks) // stride + 1,
                       _("Padding is added on both sides: n + 2*padding - ks."))
TRUE_DIVISION = Mistake("shapes", "true_division", _("the size is computed with true division (/) instead of "
                                                     "floor division (//)"),
                        lambda n, ks, stride=1, padding=0: (n + 2 * padding - ks) / stride + 1,
                        _("A size is a whole number of pixels: use // and return an int."))
OUT_SIZE = known(PADDING_ONCE, TRUE_DIVISION)
NO_VALUE_ERROR = Mistake("shapes", "no_value_error", _("a kernel that does not fit is not rejected"),
                         fix=_("Raise ValueError when the output would have fewer than 1 pixel."))


def in_shape(size_mistake):
    """The same mistake as it shows in conv_out_shape, which computes conv_out_size for height and width."""
    def wrong(shape, out_channels, ks, stride=1, padding=0):
        n, _c, h, w = shape
        return (n, out_channels, size_mistake.wrong(h, ks, stride, padding), size_mistake.wrong(w, ks, stride, padding))
    return Mistake("shapes", size_mistake.id + "_in_shape", size_mistake.when, wrong, size_mistake.fix)


CHANNELS_KEPT = Mistake("shapes", "channels_kept", _("the input channels are kept instead of out_channels"),
                        lambda shape, out_channels, ks, stride=1, padding=0:
                        (shape[0], shape[1], *(F.conv2d(torch.zeros(1, 1, shape[2], shape[3]),
                                                        torch.zeros(1, 1, ks, ks), stride=stride,
                                                        padding=padding).shape[2:])),
                        _("A convolution's output has out_channels channels, one per filter."))
OUT_SHAPE = known(CHANNELS_KEPT, in_shape(PADDING_ONCE), in_shape(TRUE_DIVISION))
RESHAPE_NOT_PERMUTE = Mistake("shapes", "reshape_not_permute", _("the tensor is reshaped (view/reshape) instead of "
                                                                 "permuted"),
                              lambda x: x.reshape(x.shape[0], x.shape[3], x.shape[1], x.shape[2]),
                              _("reshape keeps the values in memory order, so the pixels get scrambled; "
                                "x.permute(0, 3, 1, 2) moves the channel axis."))
SUM_OF_KERNELS = Mistake("shapes", "receptive_sum_of_kernels", _("the strides are ignored, 1 + sum(ks - 1)"),
                         lambda layers: 1 + sum(ks - 1 for ks, _stride in layers),
                         _("Each layer adds (ks - 1) times the product of the strides of the layers before it."))


def torch_out_size(n, ks, stride, padding):
    """What PyTorch really produces (or None when the kernel does not fit)."""
    if n + 2 * padding < ks:
        return None
    return F.conv2d(torch.zeros(1, 1, n, 1), torch.zeros(1, 1, ks, 1), stride=(stride, 1),
                    padding=(padding, 0)).shape[2]


@pytest.mark.points(2)
def test_textbook_cases(student):
    for args, expected in [((4, 3), 2), ((5, 4, 1, 2), 6), ((5, 3, 2, 1), 3), ((28, 3), 26)]:
        assert_equal(student.conv_out_size(*args), expected, call=f"conv_out_size{args}", hint=FORMULA_HINT,
                     mistakes=OUT_SIZE.on(*args))


@pytest.mark.points(2)
@randomized
@given(n=st.integers(1, 40), ks=st.integers(1, 7), stride=st.integers(1, 3), padding=st.integers(0, 3))
def test_conv_out_size_matches_conv2d(student, n, ks, stride, padding):
    expected = torch_out_size(n, ks, stride, padding)
    call = f"conv_out_size({n}, ks={ks}, stride={stride}, padding={padding})"
    if expected is None:
        with expect_exception(ValueError, call=call, expected=_("a kernel larger than the padded image must raise "
                                                                "ValueError")):
            got = student.conv_out_size(n, ks, stride, padding)
            fail(_("{call} returned {got}, but the kernel does not fit.").format(call=call, got=got),
                 mistake=NO_VALUE_ERROR)
        return
    assert_equal(student.conv_out_size(n, ks, stride, padding), expected, call=call, hint=FORMULA_HINT,
                 mistakes=OUT_SIZE.on(n, ks, stride, padding))


@pytest.mark.points(1)
def test_same_padding_keeps_size(student):
    for n in (7, 28, 33):
        for ks in (1, 3, 5, 7):
            assert_equal(student.conv_out_size(n, ks, 1, ks // 2), n, call=f"conv_out_size({n}, {ks}, 1, {ks // 2})",
                         mistakes=OUT_SIZE.on(n, ks, 1, ks // 2),
                         hint=_("With stride 1 and padding ks//2 on each side an odd kernel keeps the size."))


@pytest.mark.points(2)
@randomized
@given(n=st.integers(1, 4), c=st.integers(1, 3), h=st.integers(5, 20), w=st.integers(5, 20),
       out=st.integers(1, 8), ks=st.sampled_from([1, 3, 5]), stride=st.integers(1, 3), padding=st.integers(0, 2))
def test_conv_out_shape_matches_conv2d(student, n, c, h, w, out, ks, stride, padding):
    conv = torch.nn.Conv2d(c, out, ks, stride=stride, padding=padding)
    with torch.no_grad():
        expected = tuple(conv(torch.zeros(n, c, h, w)).shape)
    got = student.conv_out_shape((n, c, h, w), out, ks, stride, padding)
    assert_equal(got, expected, mistakes=OUT_SHAPE.on((n, c, h, w), out, ks, stride, padding), call=f"conv_out_shape({(n, c, h, w)}, {out}, ks={ks}, stride={stride}, "
                                     f"padding={padding})",
                 hint=_("NCHW in, NCHW out: the batch size stays, the channels become out_channels, and height "
                        "and width each follow conv_out_size. Return a tuple."))


@pytest.mark.points(2)
def test_to_nchw(student):
    for shape in [(2, 5, 7, 3), (1, 28, 28, 1), (4, 3, 6, 2)]:
        x = random_tensor(*shape, seed=sum(shape))
        assert_close(student.to_nchw(x), x.permute(0, 3, 1, 2), call=f"to_nchw({shown('tensor', shape)})", atol=0,
                     mistakes=known(RESHAPE_NOT_PERMUTE).on(x),
                     hint=_("to_nchw moves the channel axis: out[n, c, h, w] == x[n, h, w, c]."))


def measured_receptive_field(layers):
    """Width of the input region whose gradient reaches output pixel 0, in a real 1-D-in-height conv stack."""
    size = 1
    for ks, stride in reversed(layers):
        size = (size - 1) * stride + ks
    x = torch.zeros(1, 1, size + 5, 1, requires_grad=True)
    y = x
    for ks, stride in layers:
        y = F.conv2d(y, torch.ones(1, 1, ks, 1), stride=(stride, 1))
    y[0, 0, 0, 0].backward()
    return int((x.grad[0, 0, :, 0] != 0).sum())


@pytest.mark.points(0.5)
@pytest.mark.parametrize("layers", [
    [(3, 2), (3, 2)], [(3, 1), (3, 1)], [(3, 2)] * 5, [(5, 1), (3, 2), (3, 2)], [(7, 2), (3, 1), (1, 1), (3, 3)],
], ids=["two_3x3_stride2", "two_3x3_stride1", "mnist_cnn", "5_then_3s", "mixed"])
def test_receptive_field(student, layers):
    assert_equal(student.receptive_field(layers), measured_receptive_field(layers), call=f"receptive_field({layers})",
                 mistakes=known(SUM_OF_KERNELS).on(layers),
                 hint=_("Each layer adds (ks - 1) times the product of the strides of the layers before it; "
                        "strides of later layers do not matter."))
