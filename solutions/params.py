"""Counting parameters and multiplications of a CNN (fastbook ch. 13, questions 8 and 15).

A conv layer with ``ni`` input channels, ``nf`` filters and a ``ks`` x ``ks`` kernel has one ks x ks
kernel per (filter, input channel) pair, i.e. ``nf*ni*ks*ks`` weights, plus one bias per filter. The
weights are shared over all positions, so the parameter count does not depend on the image size, but
the amount of computation does: every output pixel of every filter needs ``ni*ks*ks`` multiplications.
That is why the chapter doubles the number of filters whenever a stride-2 conv halves the image.

Liczenie parametrów i mnożeń sieci konwolucyjnej (rozdział 13, pytania 8 i 15).

Warstwa splotowa z ``ni`` kanałami wejścia, ``nf`` filtrami i jądrem ``ks`` x ``ks`` ma po jednym jądrze ks
x ks na parę (filtr, kanał wejścia), czyli ``nf*ni*ks*ks`` wag, i po jednym obciążeniu na filtr. Wagi są
współdzielone we wszystkich położeniach, więc liczba parametrów nie zależy od rozmiaru obrazu, ale ilość
obliczeń już tak: każdy piksel wyjścia każdego filtra wymaga ``ni*ks*ks`` mnożeń. Dlatego rozdział podwaja
liczbę filtrów za każdym razem, gdy splot z krokiem 2 zmniejsza obraz o połowę.
"""


def conv_params(ni, nf, ks, bias=True):
    """Number of parameters of ``nn.Conv2d(ni, nf, ks, bias=bias)``: ``nf*ni*ks*ks`` weights, plus ``nf``
    biases when ``bias`` is true. Returns an int.

    Worked examples (the fastbook 3-vs-7 model, ks=3): conv(1, 4) has 4*1*3*3 + 4 = 40 parameters,
    conv(4, 8) 296, conv(8, 16) 1,168, conv(16, 32) 4,640 and conv(32, 2) 578 -- 6,722 in all. Note that
    the bias is counted once per filter, not once per weight or per input channel.

    Liczba parametrów ``nn.Conv2d(ni, nf, ks, bias=bias)``: ``nf*ni*ks*ks`` wag i do tego ``nf`` obciążeń,
    gdy ``bias`` jest prawdą. Zwraca int.

    Przykłady krok po kroku (model 3-kontra-7 z fastbooka, ks=3): conv(1, 4) ma 4*1*3*3 + 4 = 40 parametrów,
    conv(4, 8) 296, conv(8, 16) 1 168, conv(16, 32) 4 640, a conv(32, 2) 578 -- razem 6 722. Obciążenie
    liczy się raz na filtr, nie raz na wagę ani na kanał wejścia.
    """
    # BEGIN SOLUTION
    return nf * ni * ks * ks + (nf if bias else 0)
    # END SOLUTION


def count_params(model, trainable_only=True):
    """Total number of parameter values of an ``nn.Module``: the sum of ``p.numel()`` over
    ``model.parameters()``. With ``trainable_only=True`` (the default) skip frozen parameters, those with
    ``p.requires_grad == False`` (as when the body of a pretrained model is frozen); with
    ``trainable_only=False`` count them all. Buffers (e.g. BatchNorm's running mean) are not parameters.
    Returns an int.

    Example: the fastbook 3-vs-7 CNN (conv(1,4), conv(4,8), conv(8,16), conv(16,32), conv(32,2)) has 6,722;
    an ``nn.Linear(3, 2)`` has 3*2 + 2 = 8, and 2 after ``weight.requires_grad_(False)``.

    Łączna liczba wartości parametrów ``nn.Module``: suma ``p.numel()`` po ``model.parameters()``. Przy
    ``trainable_only=True`` (domyślnie) pomiń zamrożone parametry, te z ``p.requires_grad == False`` (jak
    wtedy, gdy zamrożono trzon wstępnie wytrenowanego modelu); przy ``trainable_only=False`` policz
    wszystkie. Bufory (np. średnia krocząca BatchNorm) nie są parametrami. Zwraca int.

    Przykład: sieć 3-kontra-7 z fastbooka (conv(1,4), conv(4,8), conv(8,16), conv(16,32), conv(32,2)) ma
    6 722; ``nn.Linear(3, 2)`` ma 3*2 + 2 = 8, a po ``weight.requires_grad_(False)`` 2.
    """
    # BEGIN SOLUTION
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)
    # END SOLUTION


def conv_mults(ni, nf, ks, out_h, out_w):
    """Multiplications one image needs in a conv layer whose output grid is ``out_h`` x ``out_w``, biases
    excluded (adding a bias is an addition): every one of the ``out_h*out_w*nf`` output values is a dot
    product of ``ni*ks*ks`` pairs, so the answer is ``out_h*out_w*nf*ni*ks*ks`` -- i.e. the number of
    weights times the number of output positions (Q15). Returns an int.

    Worked example from the chapter: conv(8, 16) with a 7x7 output needs 7*7*(1,168 - 16) = 56,448
    multiplications. Stride and padding matter only through ``out_h`` and ``out_w``.

    Liczba mnożeń, których jeden obraz wymaga w warstwie splotowej o siatce wyjścia ``out_h`` x ``out_w``,
    bez obciążeń (dodanie obciążenia to dodawanie): każda z ``out_h*out_w*nf`` wartości wyjścia to iloczyn
    skalarny ``ni*ks*ks`` par, więc odpowiedź to ``out_h*out_w*nf*ni*ks*ks`` -- czyli liczba wag razy liczba
    położeń wyjścia (P15). Zwraca int.

    Przykład z rozdziału: conv(8, 16) z wyjściem 7x7 wymaga 7*7*(1 168 - 16) = 56 448 mnożeń. Krok i
    dopełnienie mają znaczenie tylko przez ``out_h`` i ``out_w``.
    """
    # BEGIN SOLUTION
    return out_h * out_w * nf * ni * ks * ks
    # END SOLUTION
