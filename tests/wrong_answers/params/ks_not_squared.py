"""conv_params uses ks instead of ks*ks weights per kernel."""


def conv_params(ni, nf, ks, bias=True):
    return nf * ni * ks + (nf if bias else 0)


CAUGHT_BY = ["test_conv_params_textbook", "test_conv_params_matches_conv2d", "test_conv_params_without_bias"]
MISTAKE = "ks_not_squared"
