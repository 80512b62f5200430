"""to_nchw with reshape: the shape is right but the pixels are scrambled."""
CAUGHT_BY = ["test_to_nchw"]
MISTAKE = "reshape_not_permute"


def to_nchw(x):
    n, h, w, c = x.shape
    return x.reshape(n, c, h, w)
