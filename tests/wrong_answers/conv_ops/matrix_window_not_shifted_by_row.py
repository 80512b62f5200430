"""conv_as_matrix places each kernel row at consecutive columns, forgetting that image rows are w pixels apart."""


def conv_as_matrix(kernel, h, w):
    kh, kw = kernel.shape
    out_h, out_w = h - kh + 1, w - kw + 1
    matrix = kernel.new_zeros(out_h * out_w, h * w)
    for i in range(out_h):
        for j in range(out_w):
            start = i * w + j
            matrix[i * out_w + j, start:start + kh * kw] = kernel.flatten()
    return matrix


CAUGHT_BY = ["test_conv_as_matrix_2x2_on_3x3", "test_conv_as_matrix_matches_conv2d"]
MISTAKE = "matrix_window_not_shifted_by_row"
