"""Experiment: batch norm before or after the activation? (fastbook ch. 13, further research)

The chapter puts batch norm between the convolution and the ReLU: conv -> BN -> ReLU. Its "further
research" asks you to move the activation before batch norm (conv -> ReLU -> BN), train both, and
compare. Both orders appear in practice: BN first normalises what the ReLU cuts (about half the values
stay), ReLU first normalises only non-negative values, so the next layer gets inputs of mean 0 again.

You build both networks from one block and train each with your own ``train`` from mnist.py (the same
recipe: AdamW, 1cycle, a few epochs). The grader builds ``build_model(bn_first=True)`` and
``build_model(bn_first=False)``, checks that they really differ only in the order of batch norm and
ReLU, trains each on the 8,000 training digits, and measures both on the 2,000 held-out ones; both must
be clearly trained (accuracy far above the 10% of guessing). The HTML report draws both loss curves.

Eksperyment: normalizacja wsadowa przed czy po aktywacji? (fastbook, rozdział 13, dalsze badania)

W rozdziale normalizacja wsadowa stoi między splotem a ReLU: splot -> BN -> ReLU. W „dalszych badaniach"
rozdział każe przenieść aktywację przed normalizację wsadową (splot -> ReLU -> BN), nauczyć obie sieci
i je porównać. W praktyce spotyka się obie kolejności: gdy BN jest pierwsza, normalizuje to, co ReLU
potem obcina (zostaje mniej więcej połowa wartości); gdy pierwsza jest ReLU, normalizacja dostaje tylko
wartości nieujemne, więc następna warstwa znów dostaje wejścia o średniej 0.

Obie sieci budujesz z jednego bloku i każdą uczysz własną funkcją ``train`` z mnist.py (ten sam przepis:
AdamW, 1cycle, kilka epok). Sprawdzarka buduje ``build_model(bn_first=True)``
i ``build_model(bn_first=False)``, sprawdza, czy naprawdę różnią się tylko kolejnością normalizacji
wsadowej i ReLU, uczy każdą na 8 000 cyfrach treningowych i mierzy obie na 2 000 odłożonych; obie muszą
być wyraźnie nauczone (dokładność daleko powyżej 10% przy zgadywaniu). Raport HTML rysuje obie krzywe
straty.
"""
from torch import nn

from model import Flatten
from mnist import train  # noqa: F401 - the grader trains both networks with your train() from mnist.py


def conv_block(ni, nf, ks=3, act=True, bn_first=True):
    """The chapter's stride-2 convolution with batch norm and, when ``act``, a ReLU, in either order.

    ``nn.Conv2d(ni, nf, ks, stride=2, padding=ks//2)`` first; then ``nn.BatchNorm2d(nf)`` and
    ``nn.ReLU()`` in that order when ``bn_first`` (the chapter's ``conv_bn``), or ReLU and then batch
    norm when not. Without ``act`` it is conv -> batch norm in both cases. Return an ``nn.Sequential``.

    Splot z rozdziału z krokiem 2, z normalizacją wsadową i (gdy ``act``) z ReLU, w jednej z dwóch
    kolejności.

    Najpierw ``nn.Conv2d(ni, nf, ks, stride=2, padding=ks//2)``; potem ``nn.BatchNorm2d(nf)``
    i ``nn.ReLU()`` w tej kolejności, gdy ``bn_first`` (``conv_bn`` z rozdziału), a w przeciwnym razie
    najpierw ReLU, a potem normalizacja wsadowa. Bez ``act`` w obu przypadkach jest to splot ->
    normalizacja wsadowa. Zwróć ``nn.Sequential``.
    """
    # BEGIN SOLUTION
    layers = [nn.Conv2d(ni, nf, ks, stride=2, padding=ks // 2)]
    if not act:
        layers.append(nn.BatchNorm2d(nf))
    elif bn_first:
        layers += [nn.BatchNorm2d(nf), nn.ReLU()]
    else:
        layers += [nn.ReLU(), nn.BatchNorm2d(nf)]
    return nn.Sequential(*layers)
    # END SOLUTION


def build_model(bn_first=True):
    """The chapter's CNN (channels 1 -> 8 -> 16 -> 32 -> 64 -> 10, first kernel 5x5, then ``Flatten``)
    made of ``conv_block(..., bn_first=bn_first)``; the last block has ``act=False``.

    Sieć CNN z rozdziału (kanały 1 -> 8 -> 16 -> 32 -> 64 -> 10, pierwsze jądro 5x5, na końcu ``Flatten``)
    zbudowana z bloków ``conv_block(..., bn_first=bn_first)``; ostatni blok ma ``act=False``.
    """
    # BEGIN SOLUTION
    # PROMPT # nn.Sequential(conv_block(1, 8, ks=5, bn_first=bn_first), ..., Flatten())
    return nn.Sequential(
        conv_block(1, 8, ks=5, bn_first=bn_first),
        conv_block(8, 16, bn_first=bn_first),
        conv_block(16, 32, bn_first=bn_first),
        conv_block(32, 64, bn_first=bn_first),
        conv_block(64, 10, act=False, bn_first=bn_first),
        Flatten(),
    )
    # END SOLUTION
