"""conv_mults also counts one operation per bias (out_h*out_w*(nf*ni*ks*ks + nf))."""


def conv_mults(ni, nf, ks, out_h, out_w):
    return out_h * out_w * (nf * ni * ks * ks + nf)


CAUGHT_BY = ["test_conv_mults_textbook", "test_conv_mults_matches_conv"]
MISTAKE = "mults_include_bias"
