"""simple_cnn uses the default ks=3 in the first layer instead of the chapter's 5x5 kernel."""
from torch import nn


def simple_cnn(n_classes=10):
    return nn.Sequential(conv(1, 8), conv(8, 16), conv(16, 32), conv(32, 64), conv(64, n_classes, act=False),
                         Flatten())


CAUGHT_BY = ["test_simple_cnn_parameter_count", "test_simple_cnn_matches_reference"]
MISTAKE = "first_layer_ks3"
