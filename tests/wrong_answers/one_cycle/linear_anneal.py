"""Both learning-rate phases interpolate linearly instead of following a cosine."""
CAUGHT_BY = ["test_cosine_not_linear", "test_lr_matches_onecyclelr", "test_fastbook_schedule_100_steps",
             "test_scheduler_follows_schedule_with_sgd", "test_scheduler_sets_adam_betas"]
MISTAKE = "linear_anneal"


def one_cycle_lr(step, total_steps, lr_max, pct_start=0.25, div=25.0, div_final=1e5):
    warmup_end = pct_start * total_steps - 1
    if step <= warmup_end:
        pct = step / warmup_end
        return lr_max / div + (lr_max - lr_max / div) * pct
    pct = (step - warmup_end) / (total_steps - 1 - warmup_end)
    return lr_max + (lr_max / div_final - lr_max) * pct
