"""GroupNorm views x as (N, C // G, G, H, W): every G-th channel lands in one group, not consecutive ones."""
CAUGHT_BY = ["test_group_norm_matches_torch", "test_eval_mode_matches_torch"]
MESSAGE_MENTIONS = "consecutive"


class GroupNorm(GroupNorm):
    def forward(self, x):
        n, c, h, w = x.shape
        groups = normalize(x.view(n, c // self.num_groups, self.num_groups, h, w), (1, 3, 4), self.eps)
        return groups.view(n, c, h, w) * self.weight.view(1, c, 1, 1) + self.bias.view(1, c, 1, 1)
