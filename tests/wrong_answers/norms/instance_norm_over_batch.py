"""InstanceNorm2d also reduces over the batch (dims 0, 2, 3): that is batch norm without running stats."""
CAUGHT_BY = ["test_instance_norm_matches_torch", "test_eval_mode_matches_torch", "test_sample_independent_of_batch",
             "test_eps_inside_square_root"]
MESSAGE_MENTIONS = "batch norm"


class InstanceNorm2d(InstanceNorm2d):
    def forward(self, x):
        return normalize(x, (0, 2, 3), self.eps) * self.weight[None, :, None, None] + self.bias[None, :, None, None]
