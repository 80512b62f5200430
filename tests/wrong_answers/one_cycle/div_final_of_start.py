"""The final learning rate divides the starting value, lr_max / div / div_final, instead of lr_max / div_final."""
CAUGHT_BY = ["test_ends_at_lr_max_over_div_final", "test_lr_matches_onecyclelr", "test_fastbook_schedule_100_steps",
             "test_scheduler_follows_schedule_with_sgd", "test_scheduler_sets_adam_betas"]
MISTAKE = "div_final_of_start"


def one_cycle_lr(step, total_steps, lr_max, pct_start=0.25, div=25.0, div_final=1e5):
    warmup_end = pct_start * total_steps - 1
    if step <= warmup_end:
        return _cos_anneal(lr_max / div, lr_max, step / warmup_end)
    pct = (step - warmup_end) / (total_steps - 1 - warmup_end)
    return _cos_anneal(lr_max, lr_max / div / div_final, pct)
