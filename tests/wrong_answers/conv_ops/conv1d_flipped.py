"""conv1d flips the kernel (textbook signal-processing convolution, not PyTorch's cross-correlation)."""


def conv1d(signal, kernel):
    k = kernel.shape[0]
    return signal.unfold(0, k, 1) @ kernel.flip(0)


CAUGHT_BY = ["test_conv1d_edge_example", "test_conv1d_matches_conv1d"]
MISTAKE = "conv1d_flipped"
