"""Feature map of the full image size (H x W): the image is zero-padded first, instead of the valid (H-k+1) x (W-k+1)."""
CAUGHT_BY = ["test_apply_kernel_everywhere_matches_conv2d"]
MISTAKE = "same_size_map"


def apply_kernel_everywhere(im, kernel):
    k = kernel.shape[0]
    padded = torch.nn.functional.pad(im, (k // 2,) * 4)
    return torch.stack([torch.stack([(padded[i:i + k, j:j + k] * kernel).sum() for j in range(im.shape[1])])
                        for i in range(im.shape[0])])
