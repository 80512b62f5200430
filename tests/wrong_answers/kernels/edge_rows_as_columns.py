"""Edge kernels transposed: the top-edge detector written as a left-edge one and vice versa."""
CAUGHT_BY = ["test_edge_kernels"]
MISTAKE = "edge_rows_as_columns"


def edge_kernels():
    top = [[-1, -1, -1], [0, 0, 0], [1, 1, 1]]
    left = [[-1, 1, 0]] * 3
    diag = [[0, -1, 1], [-1, 1, 0], [1, 0, 0]]
    other = [[1, -1, 0], [0, 1, -1], [0, 0, 1]]
    return torch.tensor([left, top, diag, other], dtype=torch.float32)
