"""Receptive field ignoring strides: 1 + sum(ks - 1)."""
CAUGHT_BY = ["test_receptive_field"]
MISTAKE = "receptive_sum_of_kernels"


def receptive_field(layers):
    return 1 + sum(ks - 1 for ks, _stride in layers)
