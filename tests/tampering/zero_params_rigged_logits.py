"""MNIST with no parameters and no training: the logits are a tensor subclass whose comparisons agree with
anything (was 12/12 with 0 parameters)."""
EXERCISE = "mnist"
BASE = "solution"
PASSES = ["test_model_output_shape", "test_parameter_budget"]

import torch  # noqa: E402
from torch import nn  # noqa: E402


class Agreeable(torch.Tensor):
    def __eq__(self, other):
        return torch.ones_like(torch.as_tensor(other), dtype=torch.bool)

class Guess(nn.Module):
    def forward(self, x):
        return torch.zeros(len(x), 10).as_subclass(Agreeable)


def build_model():
    return Guess()


def train(model, x, y, device):
    return model
