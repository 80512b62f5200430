"""color_dim returns the raw counts, without log1p."""
CAUGHT_BY = ["test_color_dim_matches_histc"]
MISTAKE = "color_dim_no_log1p"


def color_dim(acts_per_batch):
    return torch.stack([torch.histc(acts.float(), bins=40, min=0, max=10) for acts in acts_per_batch], dim=1)
