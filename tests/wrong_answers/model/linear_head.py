"""simple_cnn ends with conv(64, 64), Flatten and an nn.Linear head instead of a last conv with n_classes channels."""
from torch import nn


def simple_cnn(n_classes=10):
    return nn.Sequential(conv(1, 8, ks=5), conv(8, 16), conv(16, 32), conv(32, 64), conv(64, 64), Flatten(),
                         nn.Linear(64, n_classes))


CAUGHT_BY = ["test_simple_cnn_parameter_count", "test_simple_cnn_has_no_linear_layer",
             "test_simple_cnn_matches_reference"]
MISTAKE = "linear_head"
