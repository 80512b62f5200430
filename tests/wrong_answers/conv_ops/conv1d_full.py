"""conv1d pads the signal with k-1 zeros on both sides ("full" convolution) instead of the valid one."""
import torch.nn.functional as F


def conv1d(signal, kernel):
    k = kernel.shape[0]
    return F.pad(signal, (k - 1, k - 1)).unfold(0, k, 1) @ kernel


CAUGHT_BY = ["test_conv1d_edge_example", "test_conv1d_matches_conv1d"]
MISTAKE = "conv1d_full"
