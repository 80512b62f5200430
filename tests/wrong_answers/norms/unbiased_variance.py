"""normalize divides by the unbiased variance (n - 1), as x.var() does by default."""
CAUGHT_BY = ["test_layer_norm_matches_torch", "test_group_norm_matches_torch", "test_instance_norm_matches_torch",
             "test_eval_mode_matches_torch"]
MESSAGE_MENTIONS = "unbiased=false"


def normalize(x, dims, eps):
    return (x - x.mean(dim=dims, keepdim=True)) / torch.sqrt(x.var(dim=dims, keepdim=True) + eps)
