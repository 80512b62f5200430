"""conv2d_unfold always slides the kernel one pixel at a time (the stride argument is ignored)."""
import torch.nn.functional as F


def conv2d_unfold(x, weight, bias=None, stride=1, padding=0):
    n, _, h, w = x.shape
    c_out, _, k, _ = weight.shape
    out_h, out_w = h + 2 * padding - k + 1, w + 2 * padding - k + 1
    out = weight.reshape(c_out, -1) @ F.unfold(x, k, padding=padding)
    if bias is not None:
        out = out + bias[:, None]
    return out.view(n, c_out, out_h, out_w)


CAUGHT_BY = ["test_conv2d_unfold_stride", "test_conv2d_unfold_matches_conv2d"]
MISTAKE = "stride_ignored"
