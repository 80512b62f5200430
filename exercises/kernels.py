"""Applying a kernel (fastbook ch. 13, questions 2, 3, 4 and 7).

A convolution slides a small matrix, the *kernel*, over an image. At every position it multiplies the
kernel element-wise with the window of the image under it and adds the products up: one number per
position. Like PyTorch's ``conv2d`` we do not flip the kernel (strictly this is cross-correlation).

Zastosowanie jądra (rozdział 13, pytania 2, 3, 4 i 7): splot przesuwa małą macierz, *jądro*, po
obrazie; w każdym położeniu mnoży ją element po elemencie z oknem obrazu i sumuje iloczyny.
"""
import torch


def apply_kernel(im, row, col, kernel):
    """Apply a k x k ``kernel`` (k odd) to the window of the 2-D image ``im`` centred at (row, col).

    Returns a 0-d tensor: the sum of ``window * kernel``. Figure 13.1: for
    ``im = torch.arange(1, 50).view(7, 7)`` and ``kernel = torch.arange(1, 10) / 10`` reshaped to 3x3,
    the window centred at (2, 3) gives 94.2. A window that does not fit inside the image raises
    ``ValueError`` (no silent wrap-around with negative indices).

    Nałóż jądro k x k (k nieparzyste) na okno obrazu ``im`` o środku (row, col) i zwróć sumę
    iloczynów jako tensor 0-wymiarowy; okno wychodzące poza obraz zgłasza ``ValueError``.
    """
    raise NotImplementedError


def edge_kernels():
    """The chapter's four 3x3 edge detectors, stacked into a float tensor of shape (4, 3, 3).

    In order: top edge ``[[-1,-1,-1],[0,0,0],[1,1,1]]``, left edge ``[[-1,1,0]]`` repeated in each of
    three rows, diagonal ``[[0,-1,1],[-1,1,0],[1,0,0]]`` and the other diagonal
    ``[[1,-1,0],[0,1,-1],[0,0,1]]``. The top and left edge kernels sum to 0, so a flat (constant)
    image gives 0 there: they respond only to change.

    Cztery detektory krawędzi z rozdziału jako tensor float o kształcie (4, 3, 3), w podanej kolejności.
    """
    raise NotImplementedError


def apply_kernel_everywhere(im, kernel):
    """Apply ``kernel`` at every position where it fits: the "valid" feature map of a 2-D image.

    For an H x W image and a k x k kernel the result has shape (H-k+1, W-k+1) and equals
    ``F.conv2d(im[None, None], kernel[None, None])[0, 0]``, but write it with ``apply_kernel`` or
    tensor slicing, without calling ``conv2d``. Example: a 28x28 digit and a 3x3 kernel give 26x26.

    Mapa cech "valid": jądro nałożone we wszystkich położeniach, gdzie się mieści; kształt
    (H-k+1, W-k+1); bez wywoływania ``conv2d``.
    """
    raise NotImplementedError


def coord_grid(lo, hi):
    """The chapter's nested list comprehension (question 7): all (i, j) with lo <= i, j < hi, row by row.

    ``coord_grid(1, 3) == [[(1, 1), (1, 2)], [(2, 1), (2, 2)]]``; the outer list runs over i.

    Zagnieżdżona lista składana: wszystkie pary (i, j), lo <= i, j < hi, wiersz po wierszu.
    """
    raise NotImplementedError
