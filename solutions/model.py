"""Flatten and the chapter's simple CNN (fastbook ch. 13, questions 13, 23 and 24).

The MNIST CNN of the chapter is a stack of stride-2 convolutions: each one halves the height and width
(28 -> 14 -> 7 -> 4 -> 2 -> 1) while the number of channels grows, so the amount of computation per layer
stays roughly the same. The last convolution outputs one channel per class on a 1x1 grid, and
``Flatten`` turns that (N, n_classes, 1, 1) activation into the (N, n_classes) logits the loss expects.
No ``nn.Linear`` layer is needed.

Flatten i prosta sieć konwolucyjna z rozdziału (rozdział 13, pytania 13, 23 i 24).

Sieć dla MNIST z rozdziału to stos splotów z krokiem 2: każdy zmniejsza wysokość i szerokość o połowę (28 ->
14 -> 7 -> 4 -> 2 -> 1), a liczba kanałów rośnie, więc ilość obliczeń na warstwę zostaje mniej więcej taka
sama. Ostatni splot daje po jednym kanale na klasę na siatce 1x1, a ``Flatten`` zamienia aktywacje (N,
n_classes, 1, 1) na logity (N, n_classes), których oczekuje funkcja straty. Warstwa ``nn.Linear`` nie jest
potrzebna.
"""
from torch import nn


class Flatten(nn.Module):
    """A layer that keeps the batch dimension and flattens everything else: (N, ...) -> (N, prod(rest)).

    It answers Q13 (what Flatten is and where the MNIST CNN needs it): after the last stride-2 conv the
    activations are (N, n_classes, 1, 1), and the loss wants (N, n_classes). Examples: (64, 32, 2, 2) -> (64, 128); (1, 2, 1, 1) -> (1, 2). The last example
    is why ``squeeze`` is wrong: it also removes the batch dimension of size 1 and gives (2,). Use
    ``x.flatten(1)`` (or ``x.reshape(len(x), -1)``): ``x.view(len(x), -1)`` fails on a non-contiguous tensor
    (for example a transposed one), because ``view`` cannot reorder memory. The layer has no parameters.

    Warstwa, która zachowuje wymiar wsadu i spłaszcza całą resztę: (N, ...) -> (N, prod(rest)), czyli
    iloczyn pozostałych wymiarów.

    Odpowiada na P13 (czym jest Flatten i gdzie sieć dla MNIST go potrzebuje): po ostatnim splocie z krokiem
    2 aktywacje mają kształt (N, n_classes, 1, 1), a funkcja straty chce (N, n_classes). Przykłady: (64, 32,
    2, 2) -> (64, 128); (1, 2, 1, 1) -> (1, 2). Ostatni przykład pokazuje, dlaczego ``squeeze`` jest błędne:
    usuwa też wymiar wsadu o rozmiarze 1 i daje (2,). Użyj ``x.flatten(1)`` (albo
    ``x.reshape(len(x), -1)``): ``x.view(len(x), -1)`` zawodzi dla tensora nieciągłego w pamięci (np.
    transponowanego), bo ``view`` nie umie przestawić pamięci. Warstwa nie ma parametrów.
    """

    def forward(self, x):
        """Return ``x`` reshaped to (N, everything else) -- see the class docstring.

        Zwróć ``x`` w kształcie (N, cała reszta) -- patrz opis klasy.
        """
        # BEGIN SOLUTION
        # PROMPT # keep dimension 0, flatten the rest (works for non-contiguous x too)
        return x.flatten(start_dim=1)
        # END SOLUTION


def conv(ni, nf, ks=3, act=True):
    """The chapter's refactored building block: ``nn.Conv2d(ni, nf, ks, stride=2, padding=ks//2)``, then
    ``nn.ReLU()`` when ``act`` is true (return ``nn.Sequential(conv, relu)``), else the bare conv.

    Stride 2 halves the image: with padding ks//2 an n-pixel side becomes (n + 2*(ks//2) - ks)//2 + 1,
    i.e. 28 -> 14 -> 7 -> 4 for ks=3. Example: ``conv(1, 8, ks=5)`` maps (64, 1, 28, 28) to
    (64, 8, 14, 14) and has 8*1*5*5 + 8 = 208 parameters. The last layer of a classifier uses
    ``act=False``: its outputs are logits, which must be allowed to be negative.

    Podstawowy blok z rozdziału po refaktoryzacji: ``nn.Conv2d(ni, nf, ks, stride=2, padding=ks//2)``, a po
    nim ``nn.ReLU()``, gdy ``act`` jest prawdą (zwróć ``nn.Sequential(conv, relu)``); inaczej sam splot.

    Krok 2 zmniejsza obraz o połowę: przy dopełnieniu ks//2 bok o n pikselach staje się równy (n + 2*(ks//2)
    - ks)//2 + 1, czyli 28 -> 14 -> 7 -> 4 dla ks=3. Przykład: ``conv(1, 8, ks=5)`` przekształca (64, 1, 28,
    28) w (64, 8, 14, 14) i ma 8*1*5*5 + 8 = 208 parametrów. Ostatnia warstwa klasyfikatora ma
    ``act=False``: jej wyjścia to logity, które muszą móc być ujemne.
    """
    # BEGIN SOLUTION
    layer = nn.Conv2d(ni, nf, kernel_size=ks, stride=2, padding=ks // 2)
    if act:
        layer = nn.Sequential(layer, nn.ReLU())
    return layer
    # END SOLUTION


def simple_cnn(n_classes=10):
    """The chapter's MNIST CNN (Q23): an ``nn.Sequential`` of

    ``conv(1, 8, ks=5)``   # 28x28 -> 14x14
    ``conv(8, 16)``        # 14x14 -> 7x7
    ``conv(16, 32)``       # 7x7   -> 4x4
    ``conv(32, 64)``       # 4x4   -> 2x2
    ``conv(64, n_classes, act=False)``  # 2x2 -> 1x1, no ReLU: these are the logits
    ``Flatten()``          # (N, n_classes, 1, 1) -> (N, n_classes)

    It maps (N, 1, 28, 28) to (N, n_classes) and, for 10 classes, has 30,282 parameters
    (208 + 1,168 + 4,640 + 18,496 + 5,770). There is no ``nn.Linear`` layer: the last conv already
    sees the whole (2x2) grid.

    Why the channels double (Q23): each stride-2 conv leaves a quarter of the positions, so doubling the
    filters keeps the layer's capacity (and amount of computation) from dropping too much at once.
    Why the first kernel is 5x5 (Q24): a 3x3 kernel on one input channel sees only 9 pixels, and mapping
    9 numbers to 8 channels would barely summarise anything; 25 pixels per position force the first layer to
    learn useful features.

    Sieć dla MNIST z rozdziału (P23): ``nn.Sequential`` złożone z

    ``conv(1, 8, ks=5)``   # 28x28 -> 14x14
    ``conv(8, 16)``        # 14x14 -> 7x7
    ``conv(16, 32)``       # 7x7   -> 4x4
    ``conv(32, 64)``       # 4x4   -> 2x2
    ``conv(64, n_classes, act=False)``  # 2x2 -> 1x1, bez ReLU: to są logity
    ``Flatten()``          # (N, n_classes, 1, 1) -> (N, n_classes)

    Przekształca (N, 1, 28, 28) w (N, n_classes) i dla 10 klas ma 30 282 parametry (208 + 1 168 + 4 640 +
    18 496 + 5 770). Nie ma warstwy ``nn.Linear``: ostatni splot już widzi całą siatkę (2x2).

    Dlaczego liczba kanałów się podwaja (P23): każdy splot z krokiem 2 zostawia ćwierć pozycji, więc
    podwojenie liczby filtrów sprawia, że pojemność warstwy (i ilość obliczeń) nie spada za bardzo naraz.
    Dlaczego pierwsze jądro jest 5x5 (P24): jądro 3x3 na jednym kanale wejścia widzi tylko 9 pikseli, a
    przekształcenie 9 liczb w 8 kanałów prawie niczego by nie streszczało; 25 pikseli na położenie zmusza
    pierwszą warstwę do nauczenia się użytecznych cech.
    """
    # BEGIN SOLUTION
    return nn.Sequential(
        conv(1, 8, ks=5),
        conv(8, 16),
        conv(16, 32),
        conv(32, 64),
        conv(64, n_classes, act=False),
        Flatten(),
    )
    # END SOLUTION
