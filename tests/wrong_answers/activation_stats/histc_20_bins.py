"""The histogram has 20 bins instead of 40."""
CAUGHT_BY = ["test_color_dim_matches_histc", "test_color_dim_row_0_is_smallest",
             "test_color_dim_batches_left_to_right"]
MISTAKE = "histc_20_bins"


def color_dim(acts_per_batch):
    columns = [torch.histc(acts.float(), bins=20, min=0, max=10) for acts in acts_per_batch]
    return torch.stack(columns, dim=1).log1p()
