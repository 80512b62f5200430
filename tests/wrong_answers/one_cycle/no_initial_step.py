"""OneCycle's constructor leaves the optimizer's own lr and momentum in place until the first .step()."""
CAUGHT_BY = ["test_scheduler_sets_step0_values_on_construction", "test_scheduler_sets_adam_betas"]
MISTAKE = "no_initial_step"


class OneCycle:
    def __init__(self, optimizer, total_steps, lr_max, pct_start=0.25, div=25.0, div_final=1e5,
                 moms=(0.95, 0.85, 0.95)):
        self.optimizer = optimizer
        self.total_steps, self.lr_max, self.pct_start = total_steps, lr_max, pct_start
        self.div, self.div_final, self.moms = div, div_final, moms
        self.step_num = 0

    def step(self):
        self.step_num += 1
        lr = one_cycle_lr(self.step_num, self.total_steps, self.lr_max, self.pct_start, self.div, self.div_final)
        mom = one_cycle_momentum(self.step_num, self.total_steps, self.pct_start, self.moms)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
            if "betas" in group:
                group["betas"] = (mom, *group["betas"][1:])
            else:
                group["momentum"] = mom
