"""InstanceNorm2d keeps running statistics like batch norm and uses them in eval mode."""
CAUGHT_BY = ["test_weight_and_bias_are_trainable_parameters", "test_eval_mode_matches_torch"]
MESSAGE_MENTIONS = "running statistics"


class InstanceNorm2d(InstanceNorm2d):
    def __init__(self, num_features, eps=1e-5):
        super().__init__(num_features, eps)
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))

    def forward(self, x):
        if self.training:
            with torch.no_grad():
                self.running_mean.mul_(0.9).add_(0.1 * x.mean(dim=(0, 2, 3)))
                self.running_var.mul_(0.9).add_(0.1 * x.var(dim=(0, 2, 3)))
            return super().forward(x)
        x_hat = (x - self.running_mean[None, :, None, None]) / torch.sqrt(self.running_var[None, :, None, None] + self.eps)
        return x_hat * self.weight[None, :, None, None] + self.bias[None, :, None, None]
