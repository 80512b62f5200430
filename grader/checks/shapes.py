"""Checks for shapes.py: the conv output-size formula, NCHW shapes, to_nchw and the receptive field."""
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from grader.i18n import _
from grader.testing import assert_close, assert_equal, fail, random_tensor, randomized

FORMULA_HINT = _("The formula is (n + 2*padding - ks) // stride + 1: padding is added on both sides, and the "
                 "division rounds down (use //, and return an int).")


def torch_out_size(n, ks, stride, padding):
    """What PyTorch really produces (or None when the kernel does not fit)."""
    if n + 2 * padding < ks:
        return None
    return F.conv2d(torch.zeros(1, 1, n, 1), torch.zeros(1, 1, ks, 1), stride=(stride, 1),
                    padding=(padding, 0)).shape[2]


@pytest.mark.points(2)
def test_textbook_cases(student):
    for args, expected in [((4, 3), 2), ((5, 4, 1, 2), 6), ((5, 3, 2, 1), 3), ((28, 3), 26)]:
        assert_equal(student.conv_out_size(*args), expected, call=f"conv_out_size{args}", hint=FORMULA_HINT)


@pytest.mark.points(2)
@randomized
@given(n=st.integers(1, 40), ks=st.integers(1, 7), stride=st.integers(1, 3), padding=st.integers(0, 3))
def test_conv_out_size_matches_conv2d(student, n, ks, stride, padding):
    expected = torch_out_size(n, ks, stride, padding)
    call = f"conv_out_size({n}, ks={ks}, stride={stride}, padding={padding})"
    if expected is None:
        try:
            got = student.conv_out_size(n, ks, stride, padding)
        except ValueError:
            return
        fail(_("{call} returned {got}, but the kernel does not fit.").format(call=call, got=got),
             _("Raise ValueError when the output would have fewer than 1 pixel."))
    assert_equal(student.conv_out_size(n, ks, stride, padding), expected, call=call, hint=FORMULA_HINT)


@pytest.mark.points(1)
def test_same_padding_keeps_size(student):
    for n in (7, 28, 33):
        for ks in (1, 3, 5, 7):
            assert_equal(student.conv_out_size(n, ks, 1, ks // 2), n, call=f"conv_out_size({n}, {ks}, 1, {ks // 2})",
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
    assert_equal(got, expected, call=f"conv_out_shape({(n, c, h, w)}, {out}, ks={ks}, stride={stride}, "
                                     f"padding={padding})",
                 hint=_("NCHW in, NCHW out: the batch size stays, the channels become out_channels, and height "
                        "and width each follow conv_out_size. Return a tuple."))


@pytest.mark.points(2)
def test_to_nchw(student):
    for shape in [(2, 5, 7, 3), (1, 28, 28, 1), (4, 3, 6, 2)]:
        x = random_tensor(*shape, seed=sum(shape))
        assert_close(student.to_nchw(x), x.permute(0, 3, 1, 2), call=f"to_nchw(<{shape} tensor>)", atol=0,
                     hint=_("Move the channel axis with permute(0, 3, 1, 2); view/reshape to the new shape keeps "
                            "the shape right but scrambles the pixels."))


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
                 hint=_("Each layer adds (ks - 1) times the product of the strides of the layers before it; "
                        "strides of later layers do not matter."))
