"""count_params sums the state_dict, which also holds buffers (BatchNorm's running stats) and ignores freezing."""


def count_params(model, trainable_only=True):
    return sum(t.numel() for t in model.state_dict().values())


CAUGHT_BY = ["test_count_params_matches_torch", "test_count_params_skips_frozen", "test_count_params_all_when_asked"]
MISTAKE = "counts_state_dict"
