"""coord_grid with the loops swapped: the outer list runs over columns."""
CAUGHT_BY = ["test_coord_grid"]
MISTAKE = "grid_transposed"


def coord_grid(lo, hi):
    return [[(i, j) for i in range(lo, hi)] for j in range(lo, hi)]
