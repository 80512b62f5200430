"""True division instead of floor division: returns a float like 13.5 for stride 2."""
CAUGHT_BY = ["test_textbook_cases", "test_conv_out_size_matches_conv2d", "test_same_padding_keeps_size",
             "test_conv_out_shape_matches_conv2d"]
MISTAKE = "true_division"


def conv_out_size(n, ks, stride=1, padding=0):
    size = (n + 2 * padding - ks) / stride + 1
    if size < 1:
        raise ValueError("kernel does not fit")
    return size
