"""conv_params gives every kernel (filter x input channel) its own bias: nf*ni*(ks*ks + 1)."""


def conv_params(ni, nf, ks, bias=True):
    return nf * ni * (ks * ks + (1 if bias else 0))


CAUGHT_BY = ["test_conv_params_textbook", "test_conv_params_matches_conv2d"]
MISTAKE = "bias_per_input_channel"
