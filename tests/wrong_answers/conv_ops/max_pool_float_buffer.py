"""max_pool2d fills a new float32 zeros tensor with loops, so an integer image comes back as floats."""
import torch


def max_pool2d(x, ks=2, stride=None):
    stride = ks if stride is None else stride
    n, c, h, w = x.shape
    out_h, out_w = (h - ks) // stride + 1, (w - ks) // stride + 1
    out = torch.zeros(n, c, out_h, out_w)
    for i in range(out_h):
        for j in range(out_w):
            window = x[:, :, i * stride:i * stride + ks, j * stride:j * stride + ks]
            out[:, :, i, j] = window.amax(dim=(-2, -1))
    return out


CAUGHT_BY = ["test_max_pool2d_integer_image"]
MISTAKE = "max_pool_float_buffer"
