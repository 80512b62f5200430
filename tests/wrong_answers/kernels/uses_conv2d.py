"""Calls the library: F.conv2d instead of sliding the kernel by hand."""
CAUGHT_BY = ["test_apply_kernel_everywhere_does_not_call_conv2d"]
MISTAKE = "library_call"


def apply_kernel_everywhere(im, kernel):
    return torch.nn.functional.conv2d(im[None, None], kernel[None, None])[0, 0]
