"""im2col with Tensor.unfold: the (N, C, out_h, out_w, k, k) windows are viewed as (N, C*k*k, L) without permute.
(A 3x3 output of a 3x3 kernel happens to come out right: the bias check passes.)"""
import torch.nn.functional as F
CAUGHT_BY = ["test_conv2d_unfold_one_channel", "test_colour_image_sums_over_channels",
             "test_conv2d_unfold_padding",
             "test_conv2d_unfold_stride", "test_conv2d_unfold_matches_conv2d"]
MISTAKE = "im2col_view_without_permute"


def conv2d_unfold(x, weight, bias=None, stride=1, padding=0):
    c_out, _, k, _ = weight.shape
    windows = F.pad(x, (padding,) * 4).unfold(2, k, stride).unfold(3, k, stride)
    n, _, out_h, out_w = windows.shape[:4]
    out = weight.reshape(c_out, -1) @ windows.reshape(n, -1, out_h * out_w)
    if bias is not None:
        out = out + bias[:, None]
    return out.view(n, c_out, out_h, out_w)
