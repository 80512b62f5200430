"""The 1cycle schedule (fastbook ch. 13, questions 30-34).

Training starts with a *low* learning rate, because the random weights are still far from anything
sensible and a big step would throw them somewhere worse (Q30). It then warms up to a high learning
rate ``lr_max``: big steps train faster and jump out of narrow minima into flatter ones, which
generalise better (Q32). At the end the learning rate is annealed to almost nothing, so the weights
settle into the bottom of the minimum they found (Q33). That whole shape, warm-up then annealing, is
*1cycle training* (Q31). Momentum moves the other way, *cyclical momentum* (Q34): it is high
(0.95) while the learning rate is low, drops to 0.85 while the learning rate peaks, and climbs back.

Both phases use cosine annealing, exactly as PyTorch's ``OneCycleLR`` with ``anneal_strategy='cos'``.
To go from ``start`` to ``end`` as ``pct`` runs from 0 to 1::

    end + (start - end) / 2 * (cos(pi * pct) + 1)        # pct=0 -> start, pct=1 -> end

Steps are counted from 0 to ``total_steps - 1``. The warm-up ends (at the peak ``lr_max``) on step
``pct_start * total_steps - 1``; the annealing ends on step ``total_steps - 1``. With
``total_steps=100``, ``lr_max=0.01`` and the defaults: step 0 has ``0.01/25 = 0.0004``, step 24 has
``0.01`` (the peak) and step 99 has ``0.01/1e5 = 1e-7``. In fastai the ``Recorder`` callback keeps
these values during training (Q35), so you can plot them with ``learn.recorder.plot_sched()``.

Harmonogram 1cycle (rozdział 13, pytania 30-34).

Uczenie zaczyna się od *małego* współczynnika uczenia, bo losowe wagi są jeszcze daleko od czegokolwiek
sensownego i duży krok wyrzuciłby je w gorsze miejsce (P30). Potem współczynnik uczenia rośnie (rozgrzewka)
do dużej wartości ``lr_max``: duże kroki uczą szybciej i wyskakują z wąskich minimów do płaskich, które
lepiej uogólniają (P32). Na końcu współczynnik uczenia jest wygaszany prawie do zera, żeby wagi osiadły na
dnie znalezionego minimum (P33). Cały ten kształt, rozgrzewka, a potem wygaszanie, to *uczenie 1cycle*
(P31). Pęd (momentum) zmienia się odwrotnie, *cykliczny pęd* (P34): jest duży (0,95), gdy współczynnik
uczenia jest mały, spada do 0,85, gdy współczynnik uczenia jest w szczycie, i wraca.

Obie fazy używają wygaszania kosinusowego, dokładnie jak ``OneCycleLR`` z PyTorcha z
``anneal_strategy='cos'``. Aby przejść od ``start`` do ``end``, gdy ``pct`` biegnie od 0 do 1::

    end + (start - end) / 2 * (cos(pi * pct) + 1)        # pct=0 -> start, pct=1 -> end

Kroki liczymy od 0 do ``total_steps - 1``. Rozgrzewka kończy się (w szczycie ``lr_max``) w kroku
``pct_start * total_steps - 1``; wygaszanie kończy się w kroku ``total_steps - 1``. Przy
``total_steps=100``, ``lr_max=0.01`` i wartościach domyślnych: krok 0 ma ``0.01/25 = 0.0004``, krok 24 ma
``0.01`` (szczyt), a krok 99 ma ``0.01/1e5 = 1e-7``. W fastai callback ``Recorder`` zapamiętuje te wartości
podczas uczenia (P35), więc można je narysować przez ``learn.recorder.plot_sched()``.
"""
import math


def _cos_anneal(start, end, pct):
    """Cosine interpolation: ``start`` at ``pct=0``, ``end`` at ``pct=1``, half-way between them at ``pct=0.5``.

    ``_cos_anneal(1.0, 0.0, 0.5) == 0.5``; ``_cos_anneal(1.0, 0.0, 0.25)`` is about 0.854 (a straight line
    would give 0.75: the cosine stays near ``start`` longer and eases into ``end``).

    Interpolacja kosinusowa: ``start`` dla ``pct=0``, ``end`` dla ``pct=1``, w połowie między nimi dla
    ``pct=0.5``.

    ``_cos_anneal(1.0, 0.0, 0.5) == 0.5``; ``_cos_anneal(1.0, 0.0, 0.25)`` to około 0,854 (linia prosta
    dałaby 0,75: kosinus dłużej trzyma się blisko ``start`` i łagodnie dochodzi do ``end``).
    """
    # end + (start - end) / 2 * (math.cos(math.pi * pct) + 1)
    raise NotImplementedError


def one_cycle_lr(step, total_steps, lr_max, pct_start=0.25, div=25.0, div_final=1e5):
    """The learning rate on step ``step`` (counted from 0) of a 1cycle schedule of ``total_steps`` steps.

    Warm-up: cosine from ``lr_max / div`` up to ``lr_max``, reached on step ``pct_start*total_steps - 1``.
    Annealing: cosine from ``lr_max`` down to ``lr_max / div_final``, reached on step ``total_steps - 1``.
    Returns a float equal to what ``torch.optim.lr_scheduler.OneCycleLR(max_lr=lr_max,
    total_steps=total_steps, pct_start=pct_start, div_factor=div, final_div_factor=div_final/div)`` holds
    after ``step`` scheduler steps (do not use ``OneCycleLR`` itself). Answers Q30-Q33: why start low,
    why go high, why end low.

    Example (``total_steps=100, lr_max=0.01``): step 0 -> 0.0004, step 24 -> 0.01, step 99 -> 1e-7; on
    step 12, half-way through the warm-up, the cosine is exactly half-way: (0.0004 + 0.01) / 2 = 0.0052.

    Współczynnik uczenia w kroku ``step`` (liczonym od 0) harmonogramu 1cycle o ``total_steps`` krokach.

    Rozgrzewka: kosinusowo od ``lr_max / div`` w górę do ``lr_max``, osiąganego w kroku
    ``pct_start*total_steps - 1``. Wygaszanie: kosinusowo od ``lr_max`` w dół do ``lr_max / div_final``,
    osiąganego w kroku ``total_steps - 1``. Zwraca float równy temu, co
    ``torch.optim.lr_scheduler.OneCycleLR(max_lr=lr_max, total_steps=total_steps, pct_start=pct_start, div_factor=div, final_div_factor=div_final/div)``
    ma po ``step`` krokach harmonogramu (nie używaj samego ``OneCycleLR``). Odpowiada na P30-P33: dlaczego
    zaczynać nisko, dlaczego iść wysoko, dlaczego kończyć nisko.

    Przykład (``total_steps=100, lr_max=0.01``): krok 0 -> 0,0004, krok 24 -> 0,01, krok 99 -> 1e-7; w kroku
    12, w połowie rozgrzewki, kosinus jest dokładnie w połowie: (0,0004 + 0,01) / 2 = 0,0052.
    """
    # The peak is on step pct_start * total_steps - 1. Work out which phase `step` is in and the
    # fraction pct (0 to 1) of that phase already done, then use _cos_anneal(start, end, pct).
    raise NotImplementedError


def one_cycle_momentum(step, total_steps, pct_start=0.25, moms=(0.95, 0.85, 0.95)):
    """The momentum on step ``step`` of the same schedule: cyclical momentum, opposite to the learning rate.

    Warm-up: cosine from ``moms[0]`` down to ``moms[1]`` (reached at the learning-rate peak, step
    ``pct_start*total_steps - 1``); annealing: cosine from ``moms[1]`` back up to ``moms[2]``. Equals the
    momentum of ``OneCycleLR(..., max_momentum=moms[0], base_momentum=moms[1])`` after ``step`` steps.
    Answers Q34: while the learning rate is high the momentum is low, so the two do not add up to
    steps that are too big.

    Example (``total_steps=100``): step 0 -> 0.95, step 24 -> 0.85, step 99 -> 0.95.

    Pęd w kroku ``step`` tego samego harmonogramu: cykliczny pęd, odwrotnie do współczynnika uczenia.

    Rozgrzewka: kosinusowo od ``moms[0]`` w dół do ``moms[1]`` (osiąganego w szczycie współczynnika uczenia,
    w kroku ``pct_start*total_steps - 1``); wygaszanie: kosinusowo od ``moms[1]`` z powrotem w górę do
    ``moms[2]``. Równa się pędowi ``OneCycleLR(..., max_momentum=moms[0], base_momentum=moms[1])`` po
    ``step`` krokach. Odpowiada na P34: gdy współczynnik uczenia jest duży, pęd jest mały, więc razem nie
    dają za dużych kroków.

    Przykład (``total_steps=100``): krok 0 -> 0,95, krok 24 -> 0,85, krok 99 -> 0,95.
    """
    # Same phases and pct as one_cycle_lr, but momentum goes DOWN while the learning rate goes up.
    raise NotImplementedError


class OneCycle:
    """A 1cycle scheduler for any ``torch.optim`` optimizer: call ``.step()`` once after each batch.

    On construction it already writes the step-0 values into every param group of ``optimizer``: the
    learning rate ``group['lr']`` and the momentum, which is ``group['momentum']`` for SGD-style
    optimizers and the first of ``group['betas']`` for Adam-style ones (there ``betas[1]`` is left as it
    is). After k calls to ``.step()`` the groups hold the step-k values of ``one_cycle_lr`` and
    ``one_cycle_momentum``. Usage::

        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        sched = OneCycle(opt, total_steps=len(dl) * epochs, lr_max=0.06)
        for xb, yb in dl:
            loss_fn(model(xb), yb).backward(); opt.step(); opt.zero_grad(); sched.step()

    Harmonogram 1cycle dla dowolnego optymalizatora ``torch.optim``: wywołuj ``.step()`` raz po każdym
    wsadzie.

    Już przy tworzeniu wpisuje wartości z kroku 0 do każdej grupy parametrów optymalizatora ``optimizer``:
    współczynnik uczenia ``group['lr']`` i pęd, którym jest ``group['momentum']`` dla optymalizatorów w
    stylu SGD i pierwszy element ``group['betas']`` dla optymalizatorów w stylu Adama (tam ``betas[1]``
    zostaje bez zmian). Po k wywołaniach ``.step()`` grupy mają wartości z kroku k funkcji ``one_cycle_lr``
    i ``one_cycle_momentum``. Użycie::

        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        sched = OneCycle(opt, total_steps=len(dl) * epochs, lr_max=0.06)
        for xb, yb in dl:
            loss_fn(model(xb), yb).backward(); opt.step(); opt.zero_grad(); sched.step()
    """

    def __init__(self, optimizer, total_steps, lr_max, pct_start=0.25, div=25.0, div_final=1e5,
                 moms=(0.95, 0.85, 0.95)):
        # Remember the settings, start at step 0 and write the step-0 values into the optimizer
        # (with self._set_hyperparameters(), which you write below).
        raise NotImplementedError

    def step(self):
        """Move to the next step and write its learning rate and momentum into every param group.

        Przejdź do następnego kroku i wpisz jego współczynnik uczenia oraz pęd do każdej grupy parametrów.
        """
        raise NotImplementedError

    def _set_hyperparameters(self):
        """Write the current step's learning rate and momentum into every param group.

        Wpisz współczynnik uczenia i pęd bieżącego kroku do każdej grupy parametrów (dla Adama pęd to
        ``betas[0]``).
        """
        # Adam keeps its momentum as betas[0]: group['betas'] = (mom, group['betas'][1]).
        raise NotImplementedError
