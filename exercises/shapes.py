"""Output shapes, NCHW and the receptive field (fastbook ch. 13, questions 5, 6, 8, 14, 16 and 17).

A convolution with kernel size ``ks``, stride ``stride`` and ``padding`` pixels added on *each* side
turns n pixels into ``(n + 2*padding - ks) // stride + 1``. PyTorch stores image batches as NCHW:
batch, channels, height, width.

Kształty wyjścia, NCHW i pole recepcyjne (pytania 5, 6, 8, 14, 16 i 17): splot o rozmiarze jądra ks,
kroku stride i dopełnieniu padding z każdej strony daje ``(n + 2*padding - ks) // stride + 1`` pikseli.
"""
import torch


def conv_out_size(n, ks, stride=1, padding=0):
    """Number of output pixels along one side: ``(n + 2*padding - ks) // stride + 1``.

    Textbook cases: n=4, ks=3 -> 2; n=5, ks=4, padding=2 -> 6; n=5, ks=3, stride=2, padding=1 -> 3;
    a 28-pixel digit and a 3x3 kernel -> 26. ``padding=ks//2`` keeps n unchanged for odd ks. Returns an
    int; raises ``ValueError`` when the kernel does not fit (the result would be < 1).

    Liczba pikseli wyjścia w jednym wymiarze (int); ``ValueError``, gdy jądro się nie mieści.
    """
    raise NotImplementedError


def conv_out_shape(shape, out_channels, ks, stride=1, padding=0):
    """Shape (a tuple) of ``nn.Conv2d(C, out_channels, ks, stride, padding)`` applied to an NCHW ``shape``.

    Example: (64, 1, 28, 28) with 4 output channels, ks=3, stride=2, padding=1 -> (64, 4, 14, 14).

    Kształt NCHW wyjścia warstwy ``nn.Conv2d`` dla wejścia o kształcie ``shape`` (krotka).
    """
    raise NotImplementedError


def to_nchw(x):
    """Turn a batch of images stored as (N, H, W, C) into PyTorch's (N, C, H, W), keeping every pixel.

    Example: a (2, 28, 28, 3) batch of colour images becomes (2, 3, 28, 28), and
    ``to_nchw(x)[n, c, i, j] == x[n, i, j, c]``.

    Zamień układ (N, H, W, C) na (N, C, H, W), zachowując wartości pikseli.
    """
    raise NotImplementedError


def receptive_field(layers):
    """Side of the input area that one output pixel of a stack of convolutions depends on.

    ``layers`` is a list of ``(ks, stride)`` pairs, first layer first. Each layer widens the field by
    ``(ks - 1)`` times the product of the strides before it. Two 3x3 stride-2 convs -> 7; two 3x3
    stride-1 convs -> 5; the five stride-2 layers of the MNIST CNN with ks=3 -> 63.

    Pole recepcyjne stosu splotów: ile pikseli wejścia (w jednym wymiarze) widzi jeden piksel wyjścia.
    """
    raise NotImplementedError
