"""Train a CNN that really works on handwritten digits (fastbook ch. 13, end of the chapter; GPU optional).

Everything from the chapter comes together here: stride-2 convolutions that halve the image while
doubling the channels (28 -> 14 -> 7 -> 4 -> 2 -> 1), batch normalization after every convolution so
that activations keep a sensible scale and a high learning rate becomes safe, ``Flatten`` to turn the
final (N, 10, 1, 1) activations into (N, 10) logits, and 1cycle training: warm the learning rate up,
then anneal it, while momentum moves the other way. The chapter reaches about 99% on full MNIST this way
in a few epochs.

You write two functions. ``build_model()`` returns an untrained network (at most 100,000 parameters;
the chapter's network has 30,542). ``train(model, x, y, device)`` trains it and returns it: ``x`` is a
float tensor of shape (N, 1, 28, 28) with pixels in [0, 1], ``y`` the (N,) long tensor of labels 0-9,
``device`` is ``"cuda"`` when the grader has a GPU and ``"cpu"`` otherwise. The grader seeds everything,
gives you only the training images (8,000 digits by default), times ``train``, and then measures the
accuracy of the returned model on 2,000 held-out digits it never showed you, in eval mode (batch norm
then uses its running statistics). Thresholds and the time limit are in ``course.yaml`` (by default
0.95 for half the points and 0.97 for all of them). Use your own ``conv_bn`` (batchnorm.py),
``OneCycle`` (one_cycle.py) and ``Flatten`` (model.py).

The budget (``train_time_limit`` in course.yaml, by default 45 s) counts CPU seconds: the time your
own processes spend computing, not the clock on the wall, so a busy machine does not cost you points
(and sleeping does not help). The reference trains in about 5 CPU seconds, a ninth of the budget; the
report shows how much of it you used. If ``train`` takes a keyword ``progress``, the grader passes a
function to call now and then, e.g. ``progress(epoch=2, epochs=5, loss=0.21)``: the terminal and the
notebook show it live while your network trains.

Wytrenuj sieć konwolucyjną, która naprawdę działa na odręcznie pisanych cyfrach (rozdział 13, koniec
rozdziału; GPU opcjonalne).

Wszystko z rozdziału spotyka się tutaj: sploty z krokiem 2, które zmniejszają obraz o połowę i podwajają
kanały (28 -> 14 -> 7 -> 4 -> 2 -> 1), normalizacja wsadowa po każdym splocie, dzięki której aktywacje mają
sensowną skalę, a duży współczynnik uczenia staje się bezpieczny, ``Flatten``, który zamienia końcowe
aktywacje (N, 10, 1, 1) na logity (N, 10), i uczenie 1cycle: rozgrzej współczynnik uczenia, potem go wygaś,
a pęd niech zmienia się odwrotnie. Rozdział osiąga tak około 99% na pełnym MNIST w kilka epok.

Piszesz dwie funkcje. ``build_model()`` zwraca nienauczoną sieć (najwyżej 100 000 parametrów; sieć z
rozdziału ma 30 542). ``train(model, x, y, device)`` uczy ją i zwraca: ``x`` to tensor float o kształcie (N,
1, 28, 28) z pikselami w [0, 1], ``y`` to tensor long (N,) z etykietami 0-9, ``device`` to ``"cuda"``, gdy
sprawdzarka ma GPU, a w przeciwnym razie ``"cpu"``. Sprawdzarka ustawia wszystkie ziarna losowości, daje ci
tylko obrazy treningowe (domyślnie 8 000 cyfr), mierzy czas ``train``, a potem dokładność zwróconego modelu
na 2 000 odłożonych cyfrach, których nigdy ci nie pokazała, w trybie ewaluacji (normalizacja wsadowa używa
wtedy statystyk kroczących). Progi i limit czasu są w ``course.yaml`` (domyślnie 0,95 za połowę punktów i
0,97 za komplet). Użyj własnych ``conv_bn`` (batchnorm.py), ``OneCycle`` (one_cycle.py) i ``Flatten``
(model.py).

Limit (``train_time_limit`` w course.yaml, domyślnie 45 s) liczy sekundy procesora: czas, w którym twoje
procesy liczą, a nie czas na zegarze, więc obciążona maszyna nie odbiera punktów (a uśpienie nie pomaga).
Rozwiązanie wzorcowe uczy się około 5 sekund procesora, jedną dziewiątą limitu; raport pokazuje, ile z niego
zużyłeś. Jeśli ``train`` przyjmuje argument ``progress``, sprawdzarka przekazuje funkcję, którą warto co
jakiś czas wywołać, np. ``progress(epoch=2, epochs=5, loss=0.21)``: terminal i notatnik pokazują postęp na
bieżąco.
"""
import math

import torch
import torch.nn.functional as F
from torch import nn

from batchnorm import conv_bn
from model import Flatten
from one_cycle import OneCycle

EPOCHS = ...  # TODO
LR_MAX = ...  # TODO
BATCH_SIZE = ...  # TODO
WEIGHT_DECAY = ...  # TODO


def build_model():
    """The chapter's CNN with batch normalization: five stride-2 ``conv_bn`` layers and ``Flatten``.

    Channels 1 -> 8 (5x5 kernel, so the first layer sees more than 9 pixels) -> 16 -> 32 -> 64 -> 10; the
    image shrinks 28 -> 14 -> 7 -> 4 -> 2 -> 1, so the last convolution leaves (N, 10, 1, 1), which
    ``Flatten`` turns into (N, 10) logits. No ReLU after the last layer: logits may be negative.
    30,542 parameters (30,282 of the plain CNN plus 2 per channel for batch norm).

    Sieć z rozdziału z normalizacją wsadową: pięć warstw ``conv_bn`` z krokiem 2 i ``Flatten``.

    Kanały 1 -> 8 (jądro 5x5, więc pierwsza warstwa widzi więcej niż 9 pikseli) -> 16 -> 32 -> 64 -> 10;
    obraz zmniejsza się 28 -> 14 -> 7 -> 4 -> 2 -> 1, więc ostatni splot zostawia (N, 10, 1, 1), co
    ``Flatten`` zamienia na logity (N, 10). Bez ReLU po ostatniej warstwie: logity mogą być ujemne. 30 542
    parametry (30 282 zwykłej sieci plus 2 na kanał dla normalizacji wsadowej).
    """
    # nn.Sequential(conv_bn(1, 8, ks=5), ..., conv_bn(64, 10, act=False), Flatten())
    raise NotImplementedError


def train(model, x, y, device, epochs=EPOCHS, lr_max=LR_MAX, batch_size=BATCH_SIZE, progress=None):
    """Train ``model`` on images ``x`` (N, 1, 28, 28) and labels ``y`` (N,) on ``device``; return it.

    The chapter's recipe: AdamW with weight decay, mini-batches in a fresh random order every epoch,
    cross-entropy loss, and the 1cycle schedule from one_cycle.py stepped after *every* batch
    (``total_steps`` = batches per epoch x epochs), so the learning rate warms up to ``lr_max`` and
    anneals almost to zero by the last batch while momentum (Adam's ``betas[0]``) dips and returns.
    Move the model and the data to ``device`` once, before the loop (MNIST fits in memory, also on a
    GPU); keep the model in training mode while training so batch norm uses batch statistics.
    Five epochs over the 8,000 digits give about 98.5% on the held-out ones in a few seconds on a CPU.

    Ucz ``model`` na obrazach ``x`` (N, 1, 28, 28) i etykietach ``y`` (N,) na urządzeniu ``device``; zwróć
    go.

    Przepis z rozdziału: AdamW z zanikiem wag, mini-wsady w nowej losowej kolejności w każdej epoce,
    entropia krzyżowa i harmonogram 1cycle z one_cycle.py wywoływany po *każdym* wsadzie (``total_steps`` =
    wsady na epokę x epoki), żeby współczynnik uczenia rozgrzał się do ``lr_max`` i do ostatniego wsadu
    spadł prawie do zera, a pęd (``betas[0]`` Adama) obniżył się i wrócił. Przenieś model i dane na
    ``device`` raz, przed pętlą (MNIST mieści się w pamięci, także na GPU); podczas uczenia trzymaj model w
    trybie uczenia, żeby normalizacja wsadowa używała statystyk wsadu. Pięć epok na 8 000 cyfr daje około
    98,5% na odłożonych cyfrach w kilka sekund na CPU.
    """
    # model.to(device); opt = torch.optim.AdamW(...); sched = OneCycle(opt, total_steps, lr_max)
    # for each epoch: idx = torch.randperm(n); for each batch: loss = F.cross_entropy(model(xb), yb),
    # loss.backward(), opt.step(), opt.zero_grad(), sched.step(). Finally: return model
    raise NotImplementedError
