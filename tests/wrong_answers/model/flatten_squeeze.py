"""Flatten uses squeeze(), which also drops a batch dimension of size 1 and leaves (64, 32, 2, 2) untouched."""
from torch import nn


class Flatten(nn.Module):
    def forward(self, x):
        return x.squeeze()


CAUGHT_BY = ["test_flatten_keeps_batch_of_one", "test_flatten_textbook_shape", "test_flatten_matches_nn_flatten",
             "test_flatten_non_contiguous_input", "test_simple_cnn_output_shape"]
MISTAKE = "flatten_squeeze"
