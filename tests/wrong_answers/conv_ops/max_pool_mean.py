"""max_pool2d averages every window (average pooling) instead of taking its maximum."""


def max_pool2d(x, ks=2, stride=None):
    stride = ks if stride is None else stride
    return x.unfold(2, ks, stride).unfold(3, ks, stride).mean(dim=(-2, -1))


CAUGHT_BY = ["test_max_pool2d_4x4_example", "test_max_pool2d_default_stride_is_ks", "test_max_pool2d_matches_torch",
             "test_max_pool2d_integer_image"]
MISTAKE = "max_pool_mean"
