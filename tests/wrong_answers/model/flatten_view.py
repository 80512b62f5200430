"""Flatten uses x.view(len(x), -1), which fails for a non-contiguous (e.g. transposed) tensor."""
from torch import nn


class Flatten(nn.Module):
    def forward(self, x):
        return x.view(x.size(0), -1)


CAUGHT_BY = ["test_flatten_non_contiguous_input"]
MISTAKE = "flatten_view"
