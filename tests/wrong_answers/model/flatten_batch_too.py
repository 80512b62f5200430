"""Flatten uses x.flatten() (start_dim=0), flattening the batch dimension into one long vector as well."""
from torch import nn


class Flatten(nn.Module):
    def forward(self, x):
        return x.flatten()


CAUGHT_BY = ["test_flatten_keeps_batch_of_one", "test_flatten_textbook_shape", "test_flatten_matches_nn_flatten",
             "test_flatten_non_contiguous_input", "test_simple_cnn_output_shape", "test_simple_cnn_matches_reference"]
MISTAKE = "flatten_batch_too"
