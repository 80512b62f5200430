"""No bounds check: a window at the border silently wraps around with negative indices."""
CAUGHT_BY = ["test_window_outside_image_raises"]
MISTAKE = "no_bounds_check"


def apply_kernel(im, row, col, kernel):
    r = kernel.shape[0] // 2
    rows = torch.arange(row - r, row + r + 1) % im.shape[0]
    cols = torch.arange(col - r, col + r + 1) % im.shape[1]
    return (im[rows][:, cols] * kernel).sum()
