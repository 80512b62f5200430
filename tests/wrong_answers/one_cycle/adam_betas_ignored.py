"""OneCycle always writes group['momentum'], so Adam's betas[0] never follows the schedule."""
CAUGHT_BY = ["test_scheduler_sets_adam_betas"]
MISTAKE = "adam_betas_ignored"


class OneCycle:
    def __init__(self, optimizer, total_steps, lr_max, pct_start=0.25, div=25.0, div_final=1e5,
                 moms=(0.95, 0.85, 0.95)):
        self.optimizer = optimizer
        self.args = (total_steps, lr_max, pct_start, div, div_final)
        self.moms = moms
        self.step_num = 0
        self._set()

    def step(self):
        self.step_num += 1
        self._set()

    def _set(self):
        total_steps, lr_max, pct_start, div, div_final = self.args
        for group in self.optimizer.param_groups:
            group["lr"] = one_cycle_lr(self.step_num, total_steps, lr_max, pct_start, div, div_final)
            group["momentum"] = one_cycle_momentum(self.step_num, total_steps, pct_start, self.moms)
