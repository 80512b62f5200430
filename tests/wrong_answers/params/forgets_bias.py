"""conv_params counts only the weights and forgets the nf biases."""


def conv_params(ni, nf, ks, bias=True):
    return nf * ni * ks * ks


CAUGHT_BY = ["test_conv_params_textbook", "test_conv_params_matches_conv2d"]
MISTAKE = "forgets_bias"
