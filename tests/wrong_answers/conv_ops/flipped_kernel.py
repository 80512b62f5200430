"""conv2d_unfold flips the kernel (a true mathematical convolution instead of PyTorch's cross-correlation)."""
import torch.nn.functional as F


def conv2d_unfold(x, weight, bias=None, stride=1, padding=0):
    n, _, h, w = x.shape
    c_out, _, k, _ = weight.shape
    out_h, out_w = (h + 2 * padding - k) // stride + 1, (w + 2 * padding - k) // stride + 1
    flipped = weight.flip(-2, -1)
    out = flipped.reshape(c_out, -1) @ F.unfold(x, k, padding=padding, stride=stride)
    if bias is not None:
        out = out + bias[:, None]
    return out.view(n, c_out, out_h, out_w)


CAUGHT_BY = ["test_conv2d_unfold_one_channel", "test_colour_image_sums_over_channels",
             "test_conv2d_unfold_bias_once_per_output_channel", "test_conv2d_unfold_padding",
             "test_conv2d_unfold_stride", "test_conv2d_unfold_matches_conv2d"]
MISTAKE = "flipped_kernel"
