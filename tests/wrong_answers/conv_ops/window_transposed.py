"""im2col whose windows list their pixels column by column, so every window meets the kernel transposed."""
import torch.nn.functional as F
CAUGHT_BY = ["test_conv2d_unfold_one_channel", "test_colour_image_sums_over_channels",
             "test_conv2d_unfold_bias_once_per_output_channel", "test_conv2d_unfold_padding",
             "test_conv2d_unfold_stride", "test_conv2d_unfold_matches_conv2d"]
MISTAKE = "window_transposed"


def conv2d_unfold(x, weight, bias=None, stride=1, padding=0):
    c_out, _, k, _ = weight.shape
    windows = F.pad(x, (padding,) * 4).unfold(2, k, stride).unfold(3, k, stride).transpose(-2, -1)
    n, _, out_h, out_w = windows.shape[:4]
    columns = windows.permute(0, 1, 4, 5, 2, 3).reshape(n, -1, out_h * out_w)
    out = weight.reshape(c_out, -1) @ columns
    if bias is not None:
        out = out + bias[:, None]
    return out.view(n, c_out, out_h, out_w)
