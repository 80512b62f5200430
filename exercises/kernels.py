"""Applying a kernel (fastbook ch. 13, questions 2, 3, 4 and 7).

A convolution slides a small matrix, the *kernel*, over an image. At every position it multiplies the
kernel element-wise with the window of the image under it and adds the products up: one number per
position. Like PyTorch's ``conv2d`` we do not flip the kernel (strictly this is cross-correlation).

Zastosowanie jądra (rozdział 13, pytania 2, 3, 4 i 7).

Splot przesuwa po obrazie małą macierz, *jądro*. W każdym położeniu mnoży jądro element po elemencie z oknem
obrazu pod nim i sumuje iloczyny: jedna liczba na położenie. Tak jak ``conv2d`` w PyTorchu nie odwracamy
jądra (ściśle biorąc jest to korelacja wzajemna).
"""
import torch


def apply_kernel(im, row, col, kernel):
    """Apply a k x k ``kernel`` (k odd) to the window of the 2-D image ``im`` centred at (row, col).

    Returns a 0-d tensor: the sum of ``window * kernel``. Figure 13.1: for
    ``im = torch.arange(1, 50).view(7, 7)`` and ``kernel = torch.arange(1, 10) / 10`` reshaped to 3x3,
    the window centred at (2, 3) gives 94.2. A window that does not fit inside the image raises
    ``ValueError`` (no silent wrap-around with negative indices).

    Nałóż jądro ``kernel`` k x k (k nieparzyste) na okno obrazu 2-D ``im`` o środku w (row, col).

    Zwraca tensor 0-wymiarowy: sumę ``window * kernel``. Rysunek 13.1: dla
    ``im = torch.arange(1, 50).view(7, 7)`` i ``kernel = torch.arange(1, 10) / 10`` przekształconego do 3x3
    okno o środku w (2, 3) daje 94,2. Okno, które nie mieści się w obrazie, zgłasza ``ValueError`` (żadnego
    cichego zawijania ujemnymi indeksami).
    """
    raise NotImplementedError


def edge_kernels():
    """The chapter's four 3x3 edge detectors, stacked into a float tensor of shape (4, 3, 3).

    In order: top edge ``[[-1,-1,-1],[0,0,0],[1,1,1]]``, left edge ``[[-1,1,0]]`` repeated in each of
    three rows, diagonal ``[[0,-1,1],[-1,1,0],[1,0,0]]`` and the other diagonal
    ``[[1,-1,0],[0,1,-1],[0,0,1]]``. The top and left edge kernels sum to 0, so a flat (constant)
    image gives 0 there: they respond only to change.

    Cztery detektory krawędzi 3x3 z rozdziału, złożone w tensor float o kształcie (4, 3, 3).

    Kolejno: krawędź górna ``[[-1,-1,-1],[0,0,0],[1,1,1]]``, krawędź lewa ``[[-1,1,0]]`` powtórzone w każdym
    z trzech wierszy, przekątna ``[[0,-1,1],[-1,1,0],[1,0,0]]`` i druga przekątna
    ``[[1,-1,0],[0,1,-1],[0,0,1]]``. Jądra krawędzi górnej i lewej sumują się do 0, więc płaski (stały)
    obraz daje tam 0: reagują tylko na zmianę.
    """
    raise NotImplementedError


def apply_kernel_everywhere(im, kernel):
    """Apply ``kernel`` at every position where it fits: the "valid" feature map of a 2-D image.

    For an H x W image and a k x k kernel the result has shape (H-k+1, W-k+1) and equals
    ``F.conv2d(im[None, None], kernel[None, None])[0, 0]``, but write it with ``apply_kernel`` or
    tensor slicing, without calling ``conv2d``. Example: a 28x28 digit and a 3x3 kernel give 26x26.

    Nałóż ``kernel`` w każdym położeniu, w którym się mieści: mapa cech "valid" obrazu 2-D.

    Dla obrazu H x W i jądra k x k wynik ma kształt (H-k+1, W-k+1) i równa się
    ``F.conv2d(im[None, None], kernel[None, None])[0, 0]``, ale napisz to przez ``apply_kernel`` albo
    wycinki tensora, bez wywoływania ``conv2d``. Przykład: cyfra 28x28 i jądro 3x3 dają 26x26.
    """
    raise NotImplementedError


def coord_grid(lo, hi):
    """The chapter's nested list comprehension (question 7): all (i, j) with lo <= i, j < hi, row by row.

    ``coord_grid(1, 3) == [[(1, 1), (1, 2)], [(2, 1), (2, 2)]]``; the outer list runs over i.

    Zagnieżdżona lista składana z rozdziału (pytanie 7): wszystkie pary (i, j), lo <= i, j < hi, wiersz po
    wierszu.

    ``coord_grid(1, 3) == [[(1, 1), (1, 2)], [(2, 1), (2, 2)]]``; zewnętrzna lista przebiega i.
    """
    raise NotImplementedError
