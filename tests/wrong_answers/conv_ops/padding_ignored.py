"""conv2d_unfold never pads the input (the padding argument is ignored)."""
import torch.nn.functional as F


def conv2d_unfold(x, weight, bias=None, stride=1, padding=0):
    n, _, h, w = x.shape
    c_out, _, k, _ = weight.shape
    out_h, out_w = (h - k) // stride + 1, (w - k) // stride + 1
    out = weight.reshape(c_out, -1) @ F.unfold(x, k, stride=stride)
    if bias is not None:
        out = out + bias[:, None]
    return out.view(n, c_out, out_h, out_w)


CAUGHT_BY = ["test_conv2d_unfold_padding", "test_conv2d_unfold_matches_conv2d"]
MISTAKE = "padding_ignored"
