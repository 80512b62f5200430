"""color_dim takes abs() of the activations first, so negative values land in the histogram instead of being left out."""
CAUGHT_BY = ["test_color_dim_matches_histc"]
MISTAKE = "abs_before_histc"


def color_dim(acts_per_batch):
    columns = [torch.histc(acts.float().abs(), bins=40, min=0, max=10) for acts in acts_per_batch]
    return torch.stack(columns, dim=1).log1p()
