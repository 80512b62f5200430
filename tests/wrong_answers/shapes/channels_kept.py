"""conv_out_shape keeps the input channels instead of out_channels."""
CAUGHT_BY = ["test_conv_out_shape_matches_conv2d"]
MISTAKE = "channels_kept"


def conv_out_shape(shape, out_channels, ks, stride=1, padding=0):
    n, c, h, w = shape
    return (n, c, conv_out_size(h, ks, stride, padding), conv_out_size(w, ks, stride, padding))
