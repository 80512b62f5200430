"""conv1d reshapes the signal into a 1-row image and calls torch.conv2d."""
import torch


def conv1d(signal, kernel):
    return torch.conv2d(signal[None, None, None], kernel[None, None, None])[0, 0, 0]


CAUGHT_BY = ["test_conv1d_does_not_call_conv1d"]
MISTAKE = "library_call"
