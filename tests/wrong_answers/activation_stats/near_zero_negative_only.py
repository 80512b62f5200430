"""near_zero counts only negative values, (acts < 0), so ReLU outputs never look near zero."""
CAUGHT_BY = ["test_near_zero_is_fraction_at_most_0_05", "test_relu_of_normal_near_zero_about_0_52"]
MISTAKE = "near_zero_negative_only"


def layer_stats(acts):
    acts = acts.detach().float()
    return {"mean": acts.mean().item(), "std": acts.std().item(), "near_zero": (acts < 0).float().mean().item()}
