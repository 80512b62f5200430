"""conv_mults forgets that each filter looks at all ni input channels: out_h*out_w*nf*ks*ks."""


def conv_mults(ni, nf, ks, out_h, out_w):
    return out_h * out_w * nf * ks * ks


CAUGHT_BY = ["test_conv_mults_textbook", "test_conv_mults_matches_conv"]
MISTAKE = "mults_forget_input_channels"
