"""conv_as_matrix returns the transpose: one row per input pixel instead of one row per output pixel."""


def conv_as_matrix(kernel, h, w):
    kh, kw = kernel.shape
    out_h, out_w = h - kh + 1, w - kw + 1
    matrix = kernel.new_zeros(h * w, out_h * out_w)
    for i in range(out_h):
        for j in range(out_w):
            for a in range(kh):
                start = (i + a) * w + j
                matrix[start:start + kw, i * out_w + j] = kernel[a]
    return matrix


CAUGHT_BY = ["test_conv_as_matrix_2x2_on_3x3", "test_conv_as_matrix_matches_conv2d"]
MISTAKE = "matrix_transposed"
