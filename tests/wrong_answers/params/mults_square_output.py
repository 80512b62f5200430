"""conv_mults assumes a square output and uses out_h*out_h."""


def conv_mults(ni, nf, ks, out_h, out_w):
    return out_h * out_h * nf * ni * ks * ks


CAUGHT_BY = ["test_conv_mults_matches_conv"]
MESSAGE_MENTIONS = "out_h x out_w"
