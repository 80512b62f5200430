"""simple_cnn keeps the ReLU on the last conv (act=True), so the logits can never be negative."""
from torch import nn


def simple_cnn(n_classes=10):
    return nn.Sequential(conv(1, 8, ks=5), conv(8, 16), conv(16, 32), conv(32, 64), conv(64, n_classes), Flatten())


CAUGHT_BY = ["test_simple_cnn_matches_reference", "test_simple_cnn_last_layer_has_no_relu"]
MISTAKE = "relu_on_last_layer"
