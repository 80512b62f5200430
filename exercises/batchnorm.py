"""Batch normalization (fastbook ch. 13, questions 38, 39 and 40).

A deep CNN trains badly when the activations of its layers drift to very large or very small values.
Batch normalization fixes the scale of every channel: it subtracts the channel's mean and divides by
its standard deviation, and then lets the network choose the scale and offset it really wants through
two *trainable* vectors, ``gamma`` (PyTorch calls it ``weight``, starts at 1) and ``beta`` (``bias``,
starts at 0), one number per channel (Q38)::

    y = (x - mean) / sqrt(var + eps) * gamma + beta

During training ``mean`` and ``var`` come from the current batch, over the batch and both spatial axes
(N, H, W) of each channel; during validation they come from running averages kept during training
(Q39). Because every batch has slightly different statistics, training sees a little noise in each
activation, which acts as regularisation: that is why models with batch norm generalise better (Q40)
and tolerate higher learning rates. With batch norm after every convolution, the chapter's CNN reaches
much better accuracy with ``fit_one_cycle``.

Normalizacja wsadowa (rozdział 13, pytania 38, 39 i 40).

Głęboka sieć konwolucyjna uczy się źle, gdy aktywacje jej warstw odpływają do bardzo dużych albo bardzo
małych wartości. Normalizacja wsadowa ustala skalę każdego kanału: odejmuje średnią kanału i dzieli przez
jego odchylenie standardowe, a potem pozwala sieci wybrać skalę i przesunięcie, których naprawdę chce, przez
dwa *trenowalne* wektory, ``gamma`` (w PyTorchu ``weight``, na początku 1) i ``beta`` (``bias``, na początku
0), po jednej liczbie na kanał (P38)::

    y = (x - mean) / sqrt(var + eps) * gamma + beta

Podczas uczenia ``mean`` i ``var`` pochodzą z bieżącego wsadu, po wsadzie i obu osiach przestrzennych (N, H,
W) każdego kanału; podczas walidacji pochodzą ze średnich kroczących zebranych w czasie uczenia (P39).
Ponieważ statystyki każdego wsadu są trochę inne, uczenie widzi w każdej aktywacji odrobinę szumu, który
działa jak regularyzacja: dlatego modele z normalizacją wsadową lepiej uogólniają (P40) i znoszą większe
współczynniki uczenia. Z normalizacją wsadową po każdym splocie sieć z rozdziału osiąga z ``fit_one_cycle``
dużo lepszą dokładność.
"""
import torch
from torch import nn


class BatchNorm2d(nn.Module):
    """Batch normalization of an NCHW tensor with ``num_features`` channels, written from scratch.

    * Trainable parameters: exactly ``weight`` (gamma, ones) and ``bias`` (beta, zeros), shape (C,).
    * Buffers (saved with the model, not trained): ``running_mean`` (zeros) and ``running_var`` (ones),
      shape (C,).
    * Training (``model.train()``): normalise with the batch mean and the *biased* variance (divide by
      n = N*H*W) of each channel, then update the running statistics the PyTorch way::

          running_mean = (1 - momentum) * running_mean + momentum * batch_mean
          running_var  = (1 - momentum) * running_var  + momentum * batch_var * n / (n - 1)   # unbiased

    * Evaluation (``model.eval()``): normalise with ``running_mean`` and ``running_var`` and leave them
      as they are, so each sample's output does not depend on the other samples in the batch.
    * ``eps`` goes inside the square root: ``(x - mean) / sqrt(var + eps)``.

    Example: a channel holding 1, 2, 3, 4 (N=4, H=W=1) has mean 2.5 and biased variance 1.25, so in
    training it becomes about -1.342, -0.447, 0.447, 1.342; running_mean becomes 0.9*0 + 0.1*2.5 = 0.25
    and running_var 0.9*1 + 0.1*(1.25*4/3) = 1.0667. Must give the same outputs, gradients and running
    statistics as ``nn.BatchNorm2d`` in both modes, without calling ``F.batch_norm``.

    Normalizacja wsadowa tensora NCHW o ``num_features`` kanałach, napisana od zera.

    * Parametry trenowalne: dokładnie ``weight`` (gamma, jedynki) i ``bias`` (beta, zera), kształt (C,).
    * Bufory (zapisywane z modelem, nietrenowane): ``running_mean`` (zera) i ``running_var`` (jedynki),
      kształt (C,).
    * Uczenie (``model.train()``): normalizuj średnią wsadu i wariancją *obciążoną* (dzielenie przez n =
      N*H*W) każdego kanału, potem aktualizuj statystyki kroczące tak jak PyTorch::

          running_mean = (1 - momentum) * running_mean + momentum * batch_mean
          running_var  = (1 - momentum) * running_var  + momentum * batch_var * n / (n - 1)   # nieobciążona

    * Ewaluacja (``model.eval()``): normalizuj za pomocą ``running_mean`` i ``running_var`` i zostaw je bez
      zmian, żeby wyjście każdej próbki nie zależało od innych próbek we wsadzie.
    * ``eps`` jest pod pierwiastkiem: ``(x - mean) / sqrt(var + eps)``.

    Przykład: kanał z wartościami 1, 2, 3, 4 (N=4, H=W=1) ma średnią 2,5 i obciążoną wariancję 1,25, więc w
    uczeniu staje się około -1,342, -0,447, 0,447, 1,342; running_mean staje się 0,9*0 + 0,1*2,5 = 0,25, a
    running_var 0,9*1 + 0,1*(1,25*4/3) = 1,0667. Musi dawać te same wyjścia, gradienty i statystyki kroczące
    co ``nn.BatchNorm2d`` w obu trybach, bez wywoływania ``F.batch_norm``.
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        super().__init__()
        # gamma and beta are trainable: nn.Parameter. The running statistics are not: register_buffer.
        raise NotImplementedError

    def forward(self, x):
        """Normalise ``x`` of shape (N, C, H, W) per channel; the result has the same shape.

        Znormalizuj ``x`` o kształcie (N, C, H, W) osobno dla każdego kanału; wynik ma ten sam kształt.
        """
        # Statistics per channel: reduce over dims (0, 2, 3). self.training tells the two modes apart.
        raise NotImplementedError


def conv_bn(ni, nf, ks=3, act=True):
    """The chapter's ``conv`` block with batch norm: ``nn.Conv2d(ni, nf, ks, stride=2, padding=ks//2)``,
    then ``BatchNorm2d(nf)``, then ``nn.ReLU()`` when ``act``, as an ``nn.Sequential``.

    Batch norm goes between the convolution and the activation. It adds exactly ``2*nf`` trainable
    parameters (gamma and beta) to the plain conv: ``conv_bn(1, 8, ks=5)`` has 208 + 16 = 224. A batch of
    shape (N, ni, 28, 28) comes out as (N, nf, 14, 14).

    Blok ``conv`` z rozdziału z normalizacją wsadową: ``nn.Conv2d(ni, nf, ks, stride=2, padding=ks//2)``,
    potem ``BatchNorm2d(nf)``, potem ``nn.ReLU()``, gdy ``act``, jako ``nn.Sequential``.

    Normalizacja wsadowa stoi między splotem a aktywacją. Dodaje do zwykłego splotu dokładnie ``2*nf``
    trenowalnych parametrów (gamma i beta): ``conv_bn(1, 8, ks=5)`` ma 208 + 16 = 224. Wsad o kształcie (N,
    ni, 28, 28) wychodzi jako (N, nf, 14, 14).
    """
    raise NotImplementedError
