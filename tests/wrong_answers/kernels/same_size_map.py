"""Feature map of the full image size (H x W) instead of the valid (H-k+1) x (W-k+1)."""
CAUGHT_BY = ["test_apply_kernel_everywhere_matches_conv2d"]
MESSAGE_MENTIONS = "shape"


def apply_kernel_everywhere(im, kernel):
    return torch.nn.functional.pad(_valid_map(im, kernel), (kernel.shape[0] // 2,) * 4)


def _valid_map(im, kernel):
    k = kernel.shape[0]
    return torch.stack([torch.stack([(im[i:i + k, j:j + k] * kernel).sum() for j in range(im.shape[1] - k + 1)])
                        for i in range(im.shape[0] - k + 1)])
