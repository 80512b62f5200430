"""Never raises: a kernel larger than the padded image gives 0 or a negative size."""
CAUGHT_BY = ["test_conv_out_size_matches_conv2d"]
MISTAKE = "no_value_error"


def conv_out_size(n, ks, stride=1, padding=0):
    return (n + 2 * padding - ks) // stride + 1
