"""Checks for kernels.py: applying a kernel, edge detectors, the valid feature map, coord_grid."""
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from grader.i18n import _
from grader.mistakes import Mistake, known
from grader.testing import (assert_close, assert_equal, expect_exception, fail, forbid, random_tensor, randomized,
                            shown)

WINDOW_HINT = _("apply_kernel multiplies the window im[row-k//2 : row+k//2+1, col-k//2 : col+k//2+1] element-wise "
                "with the kernel as it is (cross-correlation, like F.conv2d) and adds up.")


def reference_window(im, row, col, kernel):
    k = kernel.shape[0]
    return F.conv2d(im[None, None].float(), kernel[None, None].float())[0, 0, row - k // 2, col - k // 2]


def valid_map(im, kernel, padding=0):
    return F.conv2d(im[None, None].float(), kernel[None, None].float(), padding=padding)[0, 0]


FLIPPED = Mistake("kernels", "flipped_kernel", _("the kernel is flipped (a true convolution)"),
                  lambda im, row, col, kernel: reference_window(im, row, col, kernel.flip(0, 1)),
                  _("F.conv2d multiplies by the kernel as it is."))
OFF_CENTRE = Mistake("kernels", "window_off_centre", _("the window starts at (row, col) instead of being centred "
                                                       "there"),
                     lambda im, row, col, kernel: valid_map(im, kernel)[row, col],
                     _("The window runs from row-k//2 to row+k//2."))
APPLY_KERNEL = known(FLIPPED, OFF_CENTRE)
NO_BOUNDS_CHECK = Mistake("kernels", "no_bounds_check", _("a window that leaves the image is not rejected "
                                                          "(negative indices wrap around in Python)"),
                          fix=_("Raise ValueError when row-k//2 < 0 or row+k//2 >= height (same for columns)."))
EDGES_SWAPPED = Mistake("kernels", "edge_rows_as_columns", _("the top-edge and left-edge kernels are swapped"),
                        lambda expected: expected[[1, 0, 2, 3]],
                        _("The top edge kernel has its -1s in the top row; the left edge kernel in the left column."))
SAME_SIZE = Mistake("kernels", "same_size_map", _("the map is padded to the image's size instead of the valid "
                                                  "(H-k+1) x (W-k+1)"),
                    lambda im, kernel: valid_map(im, kernel, kernel.shape[0] // 2),
                    _("Only the positions where the whole window fits inside the image give an output."))
FLIPPED_MAP = Mistake("kernels", "flipped_kernel_map", _("the kernel is flipped (a true convolution)"),
                      lambda im, kernel: valid_map(im, kernel.flip(0, 1)),
                      _("F.conv2d multiplies by the kernel as it is."))
GRID_TRANSPOSED = Mistake("kernels", "grid_transposed", _("the outer list runs over columns instead of rows"),
                          lambda lo, hi: [[(i, j) for i in range(lo, hi)] for j in range(lo, hi)],
                          _("The outer comprehension is over i (rows), the inner over j (columns)."))


@pytest.mark.points(2)
def test_figure_13_1(student):
    im = torch.arange(1, 50).view(7, 7).float()
    kernel = (torch.arange(1, 10) / 10).view(3, 3)
    got = student.apply_kernel(im, 2, 3, kernel)
    assert_close(got, reference_window(im, 2, 3, kernel), call="apply_kernel(arange(1,50).view(7,7), 2, 3, kernel)",
                 hint=WINDOW_HINT, mistakes=APPLY_KERNEL.on(im, 2, 3, kernel), atol=1e-4)
    if got.dim() != 0:
        fail(_("apply_kernel should return a 0-d tensor (a single number), got shape {shape}.")
             .format(shape=tuple(got.shape)), _("Use .sum() over the whole product."))
    zero = student.apply_kernel(torch.zeros(7, 7), 3, 3, kernel)
    assert_close(zero, torch.tensor(0.0), call="apply_kernel(zeros(7,7), 3, 3, kernel)")


@pytest.mark.points(2)
@randomized
@given(h=st.integers(3, 9), w=st.integers(3, 9), k=st.sampled_from([1, 3]), data=st.data())
def test_apply_kernel_matches_conv2d(student, h, w, k, data):
    seed = data.draw(st.integers(0, 10_000), label="seed")
    row = data.draw(st.integers(k // 2, h - 1 - k // 2), label="row")
    col = data.draw(st.integers(k // 2, w - 1 - k // 2), label="col")
    im, kernel = random_tensor(h, w, seed=seed), random_tensor(k, k, seed=seed + 1)
    assert_close(student.apply_kernel(im, row, col, kernel), reference_window(im, row, col, kernel),
                 call=f"apply_kernel({shown('image', (h, w))}, {row}, {col}, {shown('kernel', (k, k))})", hint=WINDOW_HINT,
                 mistakes=APPLY_KERNEL.on(im, row, col, kernel))


@pytest.mark.points(1)
def test_window_outside_image_raises(student):
    im, kernel = random_tensor(7, 7), random_tensor(3, 3, seed=1)
    for row, col in [(0, 3), (3, 0), (6, 3), (3, 6)]:
        call = f"apply_kernel({shown('image', (7, 7))}, {row}, {col}, {shown('kernel', (3, 3))})"
        with expect_exception(ValueError, call=call, expected=_("a window outside the image must raise ValueError")):
            got = student.apply_kernel(im, row, col, kernel)
            fail(_("{call} returned {got}, but that window leaves the image.").format(call=call, got=got),
                 mistake=NO_BOUNDS_CHECK)


@pytest.mark.points(2)
def test_edge_kernels(student):
    expected = torch.tensor([
        [[-1, -1, -1], [0, 0, 0], [1, 1, 1]],
        [[-1, 1, 0], [-1, 1, 0], [-1, 1, 0]],
        [[0, -1, 1], [-1, 1, 0], [1, 0, 0]],
        [[1, -1, 0], [0, 1, -1], [0, 0, 1]],
    ], dtype=torch.float32)
    got = student.edge_kernels()
    assert_close(got, expected, call="edge_kernels()", mistakes=known(EDGES_SWAPPED).on(expected),
                 hint=_("Order: top edge, left edge, diagonal, other diagonal; each row of a kernel is a row of "
                        "the matrix."))
    if not got.is_floating_point():
        fail(_("edge_kernels() has dtype {dtype}; convolution needs floats.").format(dtype=got.dtype),
             _("Pass dtype=torch.float32 to torch.tensor."))
    flat = torch.full((1, 1, 6, 6), 3.0)
    response = F.conv2d(flat, got.float()[:2, None])  # the diagonal kernels sum to 1, not 0
    assert_close(response, torch.zeros_like(response), call=_("the top and left edge kernels on a constant image"),
                 hint=_("An edge detector must give 0 on a flat image: its weights sum to 0."))


@pytest.mark.points(3)
@randomized
@given(h=st.integers(3, 10), w=st.integers(3, 10), k=st.sampled_from([1, 3, 5]), seed=st.integers(0, 10_000))
def test_apply_kernel_everywhere_matches_conv2d(student, h, w, k, seed):
    k = k if k <= min(h, w) else 3
    im, kernel = random_tensor(h, w, seed=seed), random_tensor(k, k, seed=seed + 1)
    expected = F.conv2d(im[None, None], kernel[None, None])[0, 0]
    assert_close(student.apply_kernel_everywhere(im, kernel), expected,
                 call=f"apply_kernel_everywhere({shown('image', (h, w))}, {shown('kernel', (k, k))})",
                 mistakes=known(SAME_SIZE, FLIPPED_MAP).on(im, kernel),
                 hint=_("The valid map has (H-k+1) x (W-k+1) positions; the window for output (i, j) starts at "
                        "im[i, j] (so its centre is (i+k//2, j+k//2)) and the kernel is not flipped."))


@pytest.mark.points(1)
def test_apply_kernel_everywhere_does_not_call_conv2d(student):
    im, kernel = random_tensor(6, 5, seed=3), random_tensor(3, 3, seed=4)
    call = f"apply_kernel_everywhere({shown('image', (6, 5))}, {shown('kernel', (3, 3))})"
    with forbid("torch.nn.functional.conv2d", "torch.conv2d", "torch.nn.Conv2d.forward", call=call,
                hint=_("Slide apply_kernel over the image with two loops or a comprehension.")):
        student.apply_kernel_everywhere(im, kernel)


@pytest.mark.points(1)
def test_coord_grid(student):
    for lo, hi in [(1, 3), (0, 4), (2, 7), (5, 5)]:
        expected = [[(i, j) for j in range(lo, hi)] for i in range(lo, hi)]
        assert_equal(student.coord_grid(lo, hi), expected, call=f"coord_grid({lo}, {hi})",
                     mistakes=known(GRID_TRANSPOSED).on(lo, hi),
                     hint=_("The outer list runs over rows i, the inner over columns j, both from lo up to hi-1."))
