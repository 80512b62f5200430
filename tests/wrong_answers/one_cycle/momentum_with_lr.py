"""Momentum rises and falls WITH the learning rate (0.85 -> 0.95 -> 0.85) instead of opposite to it."""
CAUGHT_BY = ["test_momentum_opposite_to_lr", "test_momentum_matches_onecyclelr", "test_fastbook_schedule_100_steps",
             "test_scheduler_sets_step0_values_on_construction", "test_scheduler_follows_schedule_with_sgd",
             "test_scheduler_sets_adam_betas"]
MISTAKE = "momentum_with_lr"


def one_cycle_momentum(step, total_steps, pct_start=0.25, moms=(0.95, 0.85, 0.95)):
    warmup_end = pct_start * total_steps - 1
    if step <= warmup_end:
        return _cos_anneal(moms[1], moms[0], step / warmup_end)
    pct = (step - warmup_end) / (total_steps - 1 - warmup_end)
    return _cos_anneal(moms[0], moms[1], pct)
