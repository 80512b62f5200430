"""count_params counts every parameter, frozen ones included, whatever trainable_only says."""


def count_params(model, trainable_only=True):
    return sum(p.numel() for p in model.parameters())


CAUGHT_BY = ["test_count_params_skips_frozen"]
MISTAKE = "trainable_only_ignored"
