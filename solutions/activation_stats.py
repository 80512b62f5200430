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

Obserwowanie uczenia: statystyki aktywacji i wykres "colorful dimension" (rozdział 13, pytania 25-28
i 36). Dla każdej warstwy z parametrami i każdego wsadu zapisujemy średnią, odchylenie standardowe
i odsetek aktywacji bliskich zera (P25-P27; oś x to kolejne wsady). Aktywacje bliskie zera to
problem: mnożenie przez zero daje zero, więc ta część modelu nic nie liczy, a zera w jednej warstwie
rodzą zera w następnej (P28). Na wykresie colorful dimension każda kolumna to histogram aktywacji
jednego wsadu (P36), kolejne wsady od lewej do prawej, najmniejsze aktywacje na dole (wiersz 0),
w skali logarytmicznej. Warstwę obserwujemy przez *forward hook* zarejestrowany metodą
``register_forward_hook``; uchwyt, który zwraca, trzeba na końcu usunąć metodą ``.remove()``.
"""
import torch


def layer_stats(acts):
    """The three statistics the chapter plots for one batch of one layer's activations ``acts`` (any shape).

    Returns ``{'mean': ..., 'std': ..., 'near_zero': ...}`` with Python floats: the mean, the standard
    deviation (``acts.std()``, as fastai) and the *fraction* of values that are ``<= 0.05``, exactly as
    fastai's ``ActivationStats`` counts "near zero" (negative values count too). Example: for
    ``torch.tensor([-1., 0., 0.05, 0.5])`` near_zero is 3/4 = 0.75. For the ReLU of a large standard
    normal sample it is about 0.52: half the values become exactly 0, and 2% more lie in (0, 0.05].

    Trzy statystyki aktywacji jednej warstwy dla jednego wsadu: słownik ``{'mean', 'std', 'near_zero'}``
    z liczbami float; ``near_zero`` to *odsetek* wartości ``<= 0.05`` (wartości ujemne też się liczą).
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

    Zapisuje ``layer_stats`` każdej warstwy modelu dla każdego wsadu wewnątrz bloku ``with``.
    Obserwujemy moduły-liście (bez dzieci), które mają parametry, w kolejności ``model.modules()``;
    ``stats[i]`` to lista słowników warstwy i, po jednym na przebieg w przód. Wyjście z bloku ``with``
    usuwa wszystkie hooki.
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

    Macierz wykresu colorful dimension (P36): każdy wsad to jedna kolumna, histogram
    ``torch.histc(a.float(), bins=40, min=0, max=10)``; kolumny od lewej do prawej w kolejności wsadów,
    na końcu ``log1p``; kształt (40, liczba paczek), wiersz 0 to najmniejsze aktywacje.
    """
    # BEGIN SOLUTION
    # PROMPT # One histc column per batch, torch.stack(columns, dim=1), then .log1p().
    columns = [torch.histc(acts.detach().float(), bins=40, min=0, max=10) for acts in acts_per_batch]
    return torch.stack(columns, dim=1).log1p()
    # END SOLUTION
