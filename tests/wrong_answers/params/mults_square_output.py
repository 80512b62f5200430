"""conv_mults assumes a square output and uses out_h*out_h."""


def conv_mults(ni, nf, ks, out_h, out_w):
    return out_h * out_h * nf * ni * ks * ks


CAUGHT_BY = ["test_conv_mults_matches_conv"]
MISTAKE = "mults_square_output"
