"""count_params always skips frozen parameters, even for trainable_only=False."""


def count_params(model, trainable_only=True):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


CAUGHT_BY = ["test_count_params_all_when_asked"]
MISTAKE = "always_trainable_only"
