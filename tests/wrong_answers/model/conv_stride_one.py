"""conv keeps the default stride 1, so the image never shrinks (28 -> 28 -> ...)."""
from torch import nn


def conv(ni, nf, ks=3, act=True):
    layer = nn.Conv2d(ni, nf, kernel_size=ks, padding=ks // 2)
    if act:
        layer = nn.Sequential(layer, nn.ReLU())
    return layer


CAUGHT_BY = ["test_conv_output_shape", "test_conv_relu_when_act", "test_conv_no_relu_when_act_false",
             "test_simple_cnn_output_shape", "test_simple_cnn_spatial_sizes", "test_simple_cnn_matches_reference"]
MISTAKE = "conv_stride_one"
