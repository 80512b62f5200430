"""Watching training: activation statistics and the colorful dimension (fastbook ch. 13, questions 25-28
and 36).

To see *why* a CNN trains badly, the chapter records, for every layer with parameters and every batch,
three numbers about that layer's output activations: their mean, their standard deviation and the
fraction that is near zero (fastai's ``ActivationStats`` callback, Q25; after training it is available as
``learn.activation_stats``, Q26). ``plot_layer_stats`` draws these three statistics with the training
batches on the x-axis (Q27). Activations near zero are a problem: multiplying by zero gives zero, so
that part of the model is computing nothing, and zeros in one layer tend to produce more zeros in the
next (Q28).

The *colorful dimension* plot shows more than a mean: each column is the histogram of one batch's
activations of a layer (Q36), with the batches from left to right and the smallest activations at the
bottom (row 0), on a log scale. Smooth growth from the bottom is good training; a plot that keeps
collapsing back into the bottom row - nearly all activations zero - and slowly climbing out again is
the sign of bad training (Q37).

PyTorch lets us watch a layer without changing it through a *forward hook*: a function registered with
``module.register_forward_hook(hook)`` that is called as ``hook(module, input, output)`` after every
forward pass of that module; ``register_forward_hook`` returns a handle whose ``.remove()`` unregisters it.
A hook that is never removed keeps running (and keeps memory alive) after you are done with it.

Obserwowanie uczenia: statystyki aktywacji i wykres "colorful dimension" (rozdział 13, pytania 25-28 i 36).

Aby zobaczyć, *dlaczego* sieć konwolucyjna uczy się źle, rozdział zapisuje dla każdej warstwy z parametrami
i każdego wsadu trzy liczby o aktywacjach wyjścia tej warstwy: ich średnią, odchylenie standardowe i odsetek
wartości bliskich zera (callback ``ActivationStats`` z fastai, P25; po uczeniu dostępny jako
``learn.activation_stats``, P26). ``plot_layer_stats`` rysuje te trzy statystyki z kolejnymi wsadami uczenia
na osi x (P27). Aktywacje bliskie zera to problem: mnożenie przez zero daje zero, więc ta część modelu nic
nie liczy, a zera w jednej warstwie rodzą kolejne zera w następnej (P28).

Wykres *colorful dimension* pokazuje więcej niż średnią: każda kolumna to histogram aktywacji warstwy dla
jednego wsadu (P36), kolejne wsady od lewej do prawej, najmniejsze aktywacje na dole (wiersz 0), w skali
logarytmicznej. Płynny wzrost od dołu to dobre uczenie; wykres, który raz po raz zapada się z powrotem do
dolnego wiersza (prawie wszystkie aktywacje równe zeru) i powoli się z niego wydobywa, to oznaka złego
uczenia (P37).

PyTorch pozwala obserwować warstwę bez jej zmieniania przez *forward hook*: funkcję zarejestrowaną przez
``module.register_forward_hook(hook)``, wywoływaną jako ``hook(module, input, output)`` po każdym przebiegu
w przód tego modułu; ``register_forward_hook`` zwraca uchwyt, którego ``.remove()`` wyrejestrowuje hook.
Hook, którego nigdy nie usunięto, działa dalej (i trzyma pamięć) także wtedy, gdy już go nie potrzebujemy.
"""
import torch


def layer_stats(acts):
    """The three statistics the chapter plots for one batch of one layer's activations ``acts`` (any shape).

    Returns ``{'mean': ..., 'std': ..., 'near_zero': ...}`` with Python floats: the mean, the standard
    deviation (``acts.std()``, as fastai) and the *fraction* of values that are ``<= 0.05``, exactly as
    fastai's ``ActivationStats`` counts "near zero" (negative values count too). Example: for
    ``torch.tensor([-1., 0., 0.05, 0.5])`` near_zero is 3/4 = 0.75. For the ReLU of a large standard
    normal sample it is about 0.52: half the values become exactly 0, and 2% more lie in (0, 0.05].

    Trzy statystyki, które rozdział rysuje dla jednego wsadu aktywacji ``acts`` jednej warstwy (dowolny
    kształt).

    Zwraca ``{'mean': ..., 'std': ..., 'near_zero': ...}`` z liczbami float Pythona: średnią, odchylenie
    standardowe (``acts.std()``, jak w fastai) i *odsetek* wartości ``<= 0.05``, dokładnie tak, jak
    ``ActivationStats`` z fastai liczy "bliskie zera" (wartości ujemne też się liczą). Przykład: dla
    ``torch.tensor([-1., 0., 0.05, 0.5])`` near_zero wynosi 3/4 = 0,75. Dla ReLU dużej próbki ze
    standardowego rozkładu normalnego to około 0,52: połowa wartości staje się dokładnie 0, a kolejne 2%
    leży w (0; 0,05].
    """
    # BEGIN SOLUTION
    # PROMPT # Work on acts.detach().float() and turn each statistic into a Python float with .item().
    acts = acts.detach().float()
    return {"mean": acts.mean().item(),
            "std": acts.std().item(),
            "near_zero": (acts <= 0.05).float().mean().item()}
    # END SOLUTION


class ActivationStats:
    """Record ``layer_stats`` of every layer of ``model`` for every batch, inside a ``with`` block.

    The watched layers are the *leaf* modules (no children) that have parameters, in ``model.modules()``
    order: convolutions, linear layers and batch norms, but not ReLU or Flatten (no parameters) and not
    an ``nn.Sequential`` (it has children; its last layer is watched already). ``stats[i]`` is the list of
    dicts for layer i, one per forward pass. Leaving the ``with`` block removes every hook::

        with ActivationStats(model) as act_stats:
            for xb, yb in dl:
                loss_fn(model(xb), yb).backward(); ...
        act_stats.stats[0][-1]['near_zero']     # first layer, last batch

    Example: for ``nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(36, 2))`` and 3
    batches of 5x5 images, ``stats`` has 2 lists (the conv and the linear layer) of 3 dicts each.

    Zapisuje ``layer_stats`` każdej warstwy modelu ``model`` dla każdego wsadu wewnątrz bloku ``with``.

    Obserwowane warstwy to moduły-*liście* (bez dzieci), które mają parametry, w kolejności
    ``model.modules()``: sploty, warstwy liniowe i normalizacje wsadowe, ale nie ReLU ani Flatten (bez
    parametrów) i nie ``nn.Sequential`` (ma dzieci; jego ostatnia warstwa i tak jest obserwowana).
    ``stats[i]`` to lista słowników warstwy i, po jednym na przebieg w przód. Wyjście z bloku ``with`` usuwa
    wszystkie hooki::

        with ActivationStats(model) as act_stats:
            for xb, yb in dl:
                loss_fn(model(xb), yb).backward(); ...
        act_stats.stats[0][-1]['near_zero']     # pierwsza warstwa, ostatni wsad

    Przykład: dla ``nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(36, 2))`` i 3
    wsadów obrazów 5x5 ``stats`` ma 2 listy (splot i warstwa liniowa) po 3 słowniki.
    """

    def __init__(self, model):
        # BEGIN SOLUTION
        # PROMPT # Pick the leaf modules with parameters and prepare one empty list per layer in self.stats.
        self.layers = [m for m in model.modules()
                       if len(list(m.children())) == 0 and len(list(m.parameters())) > 0]
        self.stats = [[] for layer in self.layers]
        self.handles = []
        # END SOLUTION

    def __enter__(self):
        # BEGIN SOLUTION
        # PROMPT # Register a forward hook on each layer (keep the handles) and return self.
        for index, layer in enumerate(self.layers):
            self.handles.append(layer.register_forward_hook(self._hook_for(index)))
        return self
        # END SOLUTION

    def _hook_for(self, index):
        """A forward hook that appends ``layer_stats`` of the output to ``self.stats[index]``.

        Hook (forward hook), który dopisuje ``layer_stats`` wyjścia warstwy do ``self.stats[index]``.
        """
        # BEGIN SOLUTION
        def hook(module, inputs, output):
            self.stats[index].append(layer_stats(output))
        return hook
        # END SOLUTION

    def __exit__(self, *exc_info):
        # BEGIN SOLUTION
        # PROMPT # Remove every hook, so the model runs as before once the with block is over.
        for handle in self.handles:
            handle.remove()
        self.handles = []
        # END SOLUTION


def color_dim(acts_per_batch):
    """The matrix behind the chapter's colorful-dimension plot (Q36).

    ``acts_per_batch`` is a list with one activation tensor per batch. Each tensor becomes one column,
    its histogram ``torch.histc(a.float(), bins=40, min=0, max=10)`` (40 bins of width 0.25; values outside
    [0, 10] are not counted); the columns are stacked left to right in batch order and ``log1p`` is applied,
    so the result has shape (40, n_batches) and row 0 holds the smallest activations, [0, 0.25). Plot it
    with ``plt.imshow(color_dim(acts), origin='lower')``.

    Example: two batches, ``[tensor([0.1, 0.2, 9.9]), tensor([5.0])]``, give a (40, 2) matrix whose
    column 0 has log1p(2) in row 0 and log1p(1) in row 39, and column 1 has log1p(1) in row 20.

    Macierz, na której opiera się wykres colorful dimension z rozdziału (P36).

    ``acts_per_batch`` to lista z jednym tensorem aktywacji na wsad. Każdy tensor staje się jedną kolumną,
    swoim histogramem ``torch.histc(a.float(), bins=40, min=0, max=10)`` (40 przedziałów o szerokości 0,25;
    wartości spoza [0, 10] nie są liczone); kolumny składamy od lewej do prawej w kolejności wsadów i
    stosujemy ``log1p``, więc wynik ma kształt (40, n_batches), a wiersz 0 zawiera najmniejsze aktywacje,
    [0; 0,25). Narysuj go przez ``plt.imshow(color_dim(acts), origin='lower')``.

    Przykład: dwa wsady, ``[tensor([0.1, 0.2, 9.9]), tensor([5.0])]``, dają macierz (40, 2), której kolumna
    0 ma log1p(2) w wierszu 0 i log1p(1) w wierszu 39, a kolumna 1 ma log1p(1) w wierszu 20.
    """
    # BEGIN SOLUTION
    # PROMPT # One histc column per batch, torch.stack(columns, dim=1), then .log1p().
    columns = [torch.histc(acts.detach().float(), bins=40, min=0, max=10) for acts in acts_per_batch]
    return torch.stack(columns, dim=1).log1p()
    # END SOLUTION
