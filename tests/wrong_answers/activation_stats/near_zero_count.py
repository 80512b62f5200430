"""near_zero is the number of values <= 0.05 instead of their fraction."""
CAUGHT_BY = ["test_near_zero_is_fraction_at_most_0_05", "test_relu_of_normal_near_zero_about_0_52"]
MISTAKE = "near_zero_count"


def layer_stats(acts):
    acts = acts.detach().float()
    return {"mean": acts.mean().item(), "std": acts.std().item(), "near_zero": (acts <= 0.05).sum().item()}
