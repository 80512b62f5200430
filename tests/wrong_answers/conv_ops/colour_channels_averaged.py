"""conv2d_unfold convolves each channel separately and averages the channels instead of adding them up."""
import torch.nn.functional as F


def conv2d_unfold(x, weight, bias=None, stride=1, padding=0):
    n, c_in, h, w = x.shape
    c_out, _, k, _ = weight.shape
    out_h, out_w = (h + 2 * padding - k) // stride + 1, (w + 2 * padding - k) // stride + 1
    out = 0
    for c in range(c_in):
        out = out + weight[:, c].reshape(c_out, -1) @ F.unfold(x[:, c:c + 1], k, padding=padding, stride=stride)
    out = out / c_in
    if bias is not None:
        out = out + bias[:, None]
    return out.view(n, c_out, out_h, out_w)


CAUGHT_BY = ["test_colour_image_sums_over_channels", "test_conv2d_unfold_matches_conv2d"]
MISTAKE = "colour_channels_averaged"
