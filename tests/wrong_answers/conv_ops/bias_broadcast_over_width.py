"""conv2d_unfold adds the bias to the 4-D result without reshaping it, so it broadcasts over the width."""
import torch.nn.functional as F


def conv2d_unfold(x, weight, bias=None, stride=1, padding=0):
    n, _, h, w = x.shape
    c_out, _, k, _ = weight.shape
    out_h, out_w = (h + 2 * padding - k) // stride + 1, (w + 2 * padding - k) // stride + 1
    out = (weight.reshape(c_out, -1) @ F.unfold(x, k, padding=padding, stride=stride)).view(n, c_out, out_h, out_w)
    if bias is not None:
        out = out + bias
    return out


CAUGHT_BY = ["test_conv2d_unfold_bias_once_per_output_channel", "test_conv2d_unfold_matches_conv2d",
             "test_conv2d_unfold_does_not_call_conv2d"]  # the last one: it crashes there (out_w != C_out)
MISTAKE = "bias_broadcast_over_width"
