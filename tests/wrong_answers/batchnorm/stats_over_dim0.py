"""Batch statistics over dim 0 only, x.mean(dim=0): one mean and variance per (channel, pixel) instead of one per
channel (a batchnorm written for (N, C) inputs, used on images)."""
CAUGHT_BY = ["test_training_output_has_mean_0_and_variance_1", "test_training_matches_batchnorm2d",
             "test_running_stats_match_batchnorm2d", "test_eps_inside_square_root"]
MISTAKE = "stats_over_dim0"


class BatchNorm2d(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))

    def forward(self, x):
        if self.training:
            mean = x.mean(dim=0)  # one statistic per (channel, pixel), not per channel
            var = x.var(dim=0, unbiased=False)
            n = x.shape[0]
            with torch.no_grad():
                m = self.momentum
                self.running_mean.mul_(1 - m).add_(m * mean.mean(dim=(1, 2)))
                self.running_var.mul_(1 - m).add_(m * var.mean(dim=(1, 2)) * n / max(n - 1, 1))
            x_hat = (x - mean) / torch.sqrt(var + self.eps)
        else:
            mean, var = self.running_mean, self.running_var
            x_hat = (x - mean[None, :, None, None]) / torch.sqrt(var[None, :, None, None] + self.eps)
        return x_hat * self.weight[None, :, None, None] + self.bias[None, :, None, None]
