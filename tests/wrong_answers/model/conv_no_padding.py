"""conv forgets padding=ks//2, so every layer loses the border and the 28x28 image shrinks to nothing."""
from torch import nn


def conv(ni, nf, ks=3, act=True):
    layer = nn.Conv2d(ni, nf, kernel_size=ks, stride=2)
    if act:
        layer = nn.Sequential(layer, nn.ReLU())
    return layer


CAUGHT_BY = ["test_conv_output_shape", "test_conv_relu_when_act", "test_conv_no_relu_when_act_false",
             "test_simple_cnn_output_shape", "test_simple_cnn_spatial_sizes", "test_simple_cnn_matches_reference",
             "test_simple_cnn_last_layer_has_no_relu"]
MISTAKE = "conv_no_padding"
