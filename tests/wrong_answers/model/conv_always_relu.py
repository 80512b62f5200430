"""conv ignores act and always adds the ReLU, so the last layer cannot output negative logits."""
from torch import nn


def conv(ni, nf, ks=3, act=True):
    return nn.Sequential(nn.Conv2d(ni, nf, kernel_size=ks, stride=2, padding=ks // 2), nn.ReLU())


CAUGHT_BY = ["test_conv_no_relu_when_act_false", "test_simple_cnn_matches_reference",
             "test_simple_cnn_last_layer_has_no_relu"]
MISTAKE = "conv_always_relu"
ALSO_MAKES = ["relu_on_last_layer"]  # simple_cnn's last layer is conv(..., act=False)
