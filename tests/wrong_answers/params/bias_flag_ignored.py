"""conv_params always adds the biases, even for bias=False."""


def conv_params(ni, nf, ks, bias=True):
    return nf * ni * ks * ks + nf


CAUGHT_BY = ["test_conv_params_without_bias"]
MISTAKE = "bias_flag_ignored"
