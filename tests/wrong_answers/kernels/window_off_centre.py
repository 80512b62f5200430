"""The window starts at (row, col) instead of being centred there: im[row:row+k, col:col+k]."""
CAUGHT_BY = ["test_figure_13_1", "test_apply_kernel_matches_conv2d", "test_apply_kernel_everywhere_matches_conv2d",
             "test_apply_kernel_everywhere_does_not_call_conv2d"]  # the last: windows at the border crash there
MISTAKE = "window_off_centre"


def apply_kernel(im, row, col, kernel):
    k = kernel.shape[0]
    r = k // 2
    if row - r < 0 or col - r < 0 or row + r >= im.shape[0] or col + r >= im.shape[1]:
        raise ValueError("window leaves the image")
    return (im[row:row + k, col:col + k] * kernel).sum()
