"""Padding counted on one side only: (n + padding - ks) // stride + 1."""
CAUGHT_BY = ["test_textbook_cases", "test_conv_out_size_matches_conv2d", "test_same_padding_keeps_size",
             "test_conv_out_shape_matches_conv2d"]
MISTAKE = "padding_once"


def conv_out_size(n, ks, stride=1, padding=0):
    size = (n + padding - ks) // stride + 1
    if size < 1:
        raise ValueError("kernel does not fit")
    return size
