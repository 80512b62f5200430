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

Sieć CNN, która naprawdę działa (koniec rozdziału 13; GPU opcjonalne). Napisz dwie funkcje:
``build_model()`` zwraca nienauczoną sieć (najwyżej 100 000 parametrów; sieć z rozdziału ma 30 542),
a ``train(model, x, y, device)`` uczy ją i zwraca. ``x`` to tensor float o kształcie (N, 1, 28, 28)
z pikselami w [0, 1], ``y`` to etykiety 0-9 (long), ``device`` to ``"cuda"`` albo ``"cpu"``. Sprawdzarka
ustawia ziarna losowości, daje tylko obrazy treningowe (domyślnie 8 000 cyfr), mierzy czas uczenia
i sprawdza dokładność zwróconego modelu na 2 000 odłożonych cyfrach, których nigdy nie widziałeś,
w trybie ewaluacji. Użyj własnych ``conv_bn``, ``OneCycle`` i ``Flatten``: splot z krokiem 2
i normalizacją wsadową, harmonogram 1cycle (rozgrzewka, potem wygaszanie współczynnika uczenia) i spłaszczenie.
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

    Sieć z rozdziału z normalizacją wsadową: pięć warstw ``conv_bn`` z krokiem 2 (kanały 1 -> 8 -> 16
    -> 32 -> 64 -> 10, obraz 28 -> 14 -> 7 -> 4 -> 2 -> 1) i ``Flatten``; bez ReLU po ostatniej warstwie.
    """
    # nn.Sequential(conv_bn(1, 8, ks=5), ..., conv_bn(64, 10, act=False), Flatten())
    raise NotImplementedError


def train(model, x, y, device, epochs=EPOCHS, lr_max=LR_MAX, batch_size=BATCH_SIZE):
    """Train ``model`` on images ``x`` (N, 1, 28, 28) and labels ``y`` (N,) on ``device``; return it.

    The chapter's recipe: AdamW with weight decay, mini-batches in a fresh random order every epoch,
    cross-entropy loss, and the 1cycle schedule from one_cycle.py stepped after *every* batch
    (``total_steps`` = batches per epoch x epochs), so the learning rate warms up to ``lr_max`` and
    anneals almost to zero by the last batch while momentum (Adam's ``betas[0]``) dips and returns.
    Move the model and the data to ``device`` once, before the loop (MNIST fits in memory, also on a
    GPU); keep the model in training mode while training so batch norm uses batch statistics.
    Five epochs over the 8,000 digits give about 98.5% on the held-out ones in a few seconds on a CPU.

    Ucz ``model`` na obrazach ``x`` i etykietach ``y`` na urządzeniu ``device`` i zwróć go: AdamW
    z zanikiem wag, wsady w nowej losowej kolejności w każdej epoce, entropia krzyżowa i harmonogram
    1cycle z one_cycle.py wywoływany po każdym wsadzie (``total_steps`` = wsady na epokę x epoki).
    Model i dane przenieś na ``device`` raz, przed pętlą; w trakcie uczenia model w trybie ``train()``.
    """
    # model.to(device); opt = torch.optim.AdamW(...); sched = OneCycle(opt, total_steps, lr_max)
    # for each epoch: idx = torch.randperm(n); for each batch: loss = F.cross_entropy(model(xb), yb),
    # loss.backward(), opt.step(), opt.zero_grad(), sched.step(). Finally: return model
    raise NotImplementedError
