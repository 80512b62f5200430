"""conv hard-codes padding=1, which is only right for ks=3 (the 5x5 first layer then gives 13 instead of 14)."""
from torch import nn


def conv(ni, nf, ks=3, act=True):
    layer = nn.Conv2d(ni, nf, kernel_size=ks, stride=2, padding=1)
    if act:
        layer = nn.Sequential(layer, nn.ReLU())
    return layer


CAUGHT_BY = ["test_conv_output_shape", "test_conv_relu_when_act", "test_conv_no_relu_when_act_false",
             "test_simple_cnn_spatial_sizes", "test_simple_cnn_matches_reference"]
MISTAKE = "conv_padding_always_one"
