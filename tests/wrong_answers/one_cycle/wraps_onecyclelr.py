"""OneCycle delegates to torch's OneCycleLR instead of computing the schedule itself."""
CAUGHT_BY = ["test_does_not_use_onecyclelr"]
MISTAKE = "library_call"


class OneCycle:
    def __init__(self, optimizer, total_steps, lr_max, pct_start=0.25, div=25.0, div_final=1e5,
                 moms=(0.95, 0.85, 0.95)):
        import warnings
        from torch.optim.lr_scheduler import OneCycleLR
        warnings.filterwarnings("ignore", message="Detected call of")
        self.inner = OneCycleLR(optimizer, max_lr=lr_max, total_steps=total_steps, pct_start=float(pct_start),
                                div_factor=div, final_div_factor=div_final / div, max_momentum=moms[0],
                                base_momentum=moms[1])

    def step(self):
        self.inner.step()
