"""LayerNorm reduces over (H, W) only: one mean per channel, which is instance norm."""
CAUGHT_BY = ["test_layer_norm_matches_torch", "test_eval_mode_matches_torch", "test_eps_inside_square_root"]
MESSAGE_MENTIONS = "(1, 2, 3)"


class LayerNorm(LayerNorm):
    def forward(self, x):
        return normalize(x, (2, 3), self.eps) * self.weight + self.bias
