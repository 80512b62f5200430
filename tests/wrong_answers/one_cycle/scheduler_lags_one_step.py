"""OneCycle.step() writes the current step's values before counting the step, so it lags one step behind."""
CAUGHT_BY = ["test_scheduler_follows_schedule_with_sgd", "test_scheduler_sets_adam_betas"]
MISTAKE = "scheduler_lags_one_step"


class OneCycle:
    def __init__(self, optimizer, total_steps, lr_max, pct_start=0.25, div=25.0, div_final=1e5,
                 moms=(0.95, 0.85, 0.95)):
        self.optimizer = optimizer
        self.total_steps, self.lr_max, self.pct_start = total_steps, lr_max, pct_start
        self.div, self.div_final, self.moms = div, div_final, moms
        self.step_num = 0
        self._write()

    def step(self):
        self._write()
        self.step_num += 1

    def _write(self):
        lr = one_cycle_lr(self.step_num, self.total_steps, self.lr_max, self.pct_start, self.div, self.div_final)
        mom = one_cycle_momentum(self.step_num, self.total_steps, self.pct_start, self.moms)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
            if "betas" in group:
                group["betas"] = (mom, *group["betas"][1:])
            else:
                group["momentum"] = mom
