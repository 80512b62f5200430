"""Output shapes, NCHW and the receptive field (fastbook ch. 13, questions 5, 6, 8, 14, 16 and 17).

A convolution with kernel size ``ks``, stride ``stride`` and ``padding`` pixels added on *each* side
turns n pixels into ``(n + 2*padding - ks) // stride + 1``. PyTorch stores image batches as NCHW:
batch, channels, height, width.

Kształty wyjścia, NCHW i pole recepcyjne (rozdział 13, pytania 5, 6, 8, 14, 16 i 17).

Splot o rozmiarze jądra ``ks``, kroku ``stride`` i ``padding`` pikselach dopełnienia z *każdej* strony
zamienia n pikseli w ``(n + 2*padding - ks) // stride + 1``. PyTorch przechowuje wsady obrazów w układzie
NCHW: wsad, kanały, wysokość, szerokość.
"""
import torch


def conv_out_size(n, ks, stride=1, padding=0):
    """Number of output pixels along one side: ``(n + 2*padding - ks) // stride + 1``.

    Textbook cases: n=4, ks=3 -> 2; n=5, ks=4, padding=2 -> 6; n=5, ks=3, stride=2, padding=1 -> 3;
    a 28-pixel digit and a 3x3 kernel -> 26. ``padding=ks//2`` keeps n unchanged for odd ks. Returns an
    int; raises ``ValueError`` when the kernel does not fit (the result would be < 1).

    Liczba pikseli wyjścia wzdłuż jednego boku: ``(n + 2*padding - ks) // stride + 1``.

    Przypadki z podręcznika: n=4, ks=3 -> 2; n=5, ks=4, padding=2 -> 6; n=5, ks=3, stride=2, padding=1 -> 3;
    cyfra 28-pikselowa i jądro 3x3 -> 26. ``padding=ks//2`` zostawia n bez zmian dla nieparzystego ks.
    Zwraca int; zgłasza ``ValueError``, gdy jądro się nie mieści (wynik byłby < 1).
    """
    raise NotImplementedError


def conv_out_shape(shape, out_channels, ks, stride=1, padding=0):
    """Shape (a tuple) of ``nn.Conv2d(C, out_channels, ks, stride, padding)`` applied to an NCHW ``shape``.

    Example: (64, 1, 28, 28) with 4 output channels, ks=3, stride=2, padding=1 -> (64, 4, 14, 14).

    Kształt (krotka) wyjścia ``nn.Conv2d(C, out_channels, ks, stride, padding)`` zastosowanego do kształtu
    NCHW ``shape``.

    Przykład: (64, 1, 28, 28) z 4 kanałami wyjścia, ks=3, stride=2, padding=1 -> (64, 4, 14, 14).
    """
    raise NotImplementedError


def to_nchw(x):
    """Turn a batch of images stored as (N, H, W, C) into PyTorch's (N, C, H, W), keeping every pixel.

    Example: a (2, 28, 28, 3) batch of colour images becomes (2, 3, 28, 28), and
    ``to_nchw(x)[n, c, i, j] == x[n, i, j, c]``.

    Zamień wsad obrazów zapisany jako (N, H, W, C) na układ PyTorcha (N, C, H, W), zachowując każdy piksel.

    Przykład: wsad obrazów kolorowych (2, 28, 28, 3) staje się (2, 3, 28, 28), a
    ``to_nchw(x)[n, c, i, j] == x[n, i, j, c]``.
    """
    raise NotImplementedError


def receptive_field(layers):
    """Side of the input area that one output pixel of a stack of convolutions depends on.

    ``layers`` is a list of ``(ks, stride)`` pairs, first layer first. Each layer widens the field by
    ``(ks - 1)`` times the product of the strides before it. Two 3x3 stride-2 convs -> 7; two 3x3
    stride-1 convs -> 5; the five stride-2 layers of the MNIST CNN with ks=3 -> 63.

    Bok obszaru wejścia, od którego zależy jeden piksel wyjścia stosu splotów.

    ``layers`` to lista par ``(ks, stride)``, od pierwszej warstwy. Każda warstwa poszerza pole o
    ``(ks - 1)`` razy iloczyn kroków warstw przed nią. Dwa sploty 3x3 z krokiem 2 -> 7; dwa sploty 3x3 z
    krokiem 1 -> 5; pięć warstw z krokiem 2 sieci dla MNIST z ks=3 -> 63.
    """
    raise NotImplementedError
