"""True convolution: the kernel is flipped before multiplying (torch's conv2d does not flip)."""
CAUGHT_BY = ["test_figure_13_1", "test_apply_kernel_matches_conv2d", "test_apply_kernel_everywhere_matches_conv2d"]
MISTAKE = "flipped_kernel"


def apply_kernel(im, row, col, kernel):
    k = kernel.shape[0]
    r = k // 2
    if row - r < 0 or col - r < 0 or row + r >= im.shape[0] or col + r >= im.shape[1]:
        raise ValueError("window leaves the image")
    return (im[row - r:row + r + 1, col - r:col + r + 1] * kernel.flip(0, 1)).sum()
