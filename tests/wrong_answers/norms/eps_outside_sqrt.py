"""eps added after the square root: fine for ordinary data, far too small a divisor for nearly constant data."""
CAUGHT_BY = ["test_eps_inside_square_root", "test_layer_norm_matches_torch", "test_group_norm_matches_torch",
             "test_instance_norm_matches_torch"]
MESSAGE_MENTIONS = "inside the square root"


def normalize(x, dims, eps):
    mean = x.mean(dim=dims, keepdim=True)
    return (x - mean) / (x.var(dim=dims, unbiased=False, keepdim=True).sqrt() + eps)
