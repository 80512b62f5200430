"""GroupNorm hands the work to F.group_norm."""
CAUGHT_BY = ["test_does_not_call_library_normalization"]
MESSAGE_MENTIONS = "group_norm"


class GroupNorm(GroupNorm):
    def forward(self, x):
        import torch.nn.functional as F
        return F.group_norm(x, self.num_groups, self.weight, self.bias, self.eps)
