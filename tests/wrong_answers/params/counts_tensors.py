"""count_params counts parameter tensors (len(list(model.parameters()))) instead of their values."""


def count_params(model, trainable_only=True):
    return len([p for p in model.parameters() if p.requires_grad or not trainable_only])


CAUGHT_BY = ["test_count_params_textbook_model", "test_count_params_matches_torch", "test_count_params_skips_frozen",
             "test_count_params_all_when_asked"]
MISTAKE = "counts_tensors"
