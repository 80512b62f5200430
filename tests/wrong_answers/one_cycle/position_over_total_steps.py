"""The position in the schedule is step / total_steps (fastai's older form): the peak comes late and the
last step, total_steps - 1, never reaches lr_max / div_final."""
CAUGHT_BY = ["test_ends_at_lr_max_over_div_final", "test_peak_on_last_warmup_step", "test_lr_matches_onecyclelr",
             "test_fastbook_schedule_100_steps", "test_scheduler_follows_schedule_with_sgd",
             "test_scheduler_sets_adam_betas"]
MISTAKE = "position_over_total_steps"


def one_cycle_lr(step, total_steps, lr_max, pct_start=0.25, div=25.0, div_final=1e5):
    position = step / total_steps
    if position < pct_start:
        return _cos_anneal(lr_max / div, lr_max, position / pct_start)
    return _cos_anneal(lr_max, lr_max / div_final, (position - pct_start) / (1 - pct_start))
