"""LayerNorm keeps one weight and bias per channel, like batch norm, instead of one per value."""
CAUGHT_BY = ["test_weight_and_bias_are_trainable_parameters", "test_layer_norm_matches_torch",
             "test_eval_mode_matches_torch", "test_eps_inside_square_root"]
MESSAGE_MENTIONS = "(c, h, w)"


class LayerNorm(nn.Module):
    def __init__(self, normalized_shape, eps=1e-5):
        super().__init__()
        self.normalized_shape, self.eps = tuple(normalized_shape), eps
        self.weight = nn.Parameter(torch.ones(self.normalized_shape[0], 1, 1))
        self.bias = nn.Parameter(torch.zeros(self.normalized_shape[0], 1, 1))

    def forward(self, x):
        return normalize(x, (1, 2, 3), self.eps) * self.weight + self.bias
