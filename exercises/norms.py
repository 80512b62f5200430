"""Beyond batch norm: layer, group and instance normalization (fastbook ch. 13, further research).

The chapter's "further research" asks you to try PyTorch's other normalization layers and to find out
how they differ from batch norm. All of them compute the same thing, ``(x - mean) / sqrt(var + eps)``
followed by a trainable scale ``weight`` and shift ``bias``; they differ only in *which values share a
mean and a variance*. For an NCHW batch:

* batch norm: per channel, over the batch and the picture, dims (0, 2, 3); needs running statistics
  for eval mode, and its output for one image depends on the rest of the batch;
* layer norm: per sample, over all of (C, H, W); one mean per image;
* group norm: per sample and per group of ``C // num_groups`` *consecutive* channels, over the group's
  channels and the picture (1 group = layer norm, C groups = instance norm);
* instance norm: per sample and per channel, over (H, W) only.

The last three never look at other samples, so they behave the same in training and eval mode, work
with a batch of one, and keep no running statistics (``nn.InstanceNorm2d`` with
``track_running_stats=False``). Use the *biased* variance (divide by the number of values, as torch
does), put ``eps`` inside the square root, and do not call ``F.layer_norm``, ``F.group_norm``,
``F.instance_norm`` or ``F.batch_norm``.

Poza normalizacją wsadową: normalizacja warstwy, grupy i instancji (fastbook, rozdział 13, dalsze
badania).

W „dalszych badaniach" rozdział każe wypróbować inne warstwy normalizacji z PyTorcha i sprawdzić, czym
różnią się od normalizacji wsadowej. Wszystkie liczą to samo, ``(x - mean) / sqrt(var + eps)`` (średnia
``mean``, wariancja ``var``), a potem stosują trenowalną skalę ``weight`` i przesunięcie ``bias``; różnią
się tylko tym, *które wartości dzielą średnią i wariancję*. Dla wsadu NCHW:

* normalizacja wsadowa: dla każdego kanału, po wsadzie i obrazie, wymiary (0, 2, 3); w trybie ewaluacji
  potrzebuje statystyk kroczących, a jej wynik dla jednego obrazu zależy od reszty wsadu;
* normalizacja warstwy: dla każdej próbki, po całym (C, H, W); jedna średnia na obraz;
* normalizacja grupy: dla każdej próbki i każdej grupy ``C // num_groups`` *kolejnych* kanałów, po
  kanałach grupy i całym obrazie (1 grupa = normalizacja warstwy, C grup = normalizacja instancji);
* normalizacja instancji: dla każdej próbki i każdego kanału, tylko po (H, W).

Trzy ostatnie nigdy nie patrzą na inne próbki, więc działają tak samo w trybie uczenia i ewaluacji,
działają dla wsadu z jedną próbką i nie przechowują statystyk kroczących (``nn.InstanceNorm2d``
z ``track_running_stats=False``). Używaj wariancji *obciążonej* (dziel przez liczbę wartości, tak jak
torch), ``eps`` umieść pod pierwiastkiem i nie wywołuj ``F.layer_norm``, ``F.group_norm``,
``F.instance_norm`` ani ``F.batch_norm``.
"""
import torch
from torch import nn


def normalize(x, dims, eps):
    """``(x - mean) / sqrt(var + eps)`` with the mean and the biased variance taken over ``dims`` (kept).

    ``(x - mean) / sqrt(var + eps)``, gdzie średnią ``mean`` i obciążoną wariancję ``var`` liczymy po
    wymiarach ``dims`` (zachowanych w wyniku).
    """
    # x.mean(dims, keepdim=True) and x.var(dims, unbiased=False, keepdim=True)
    raise NotImplementedError


class LayerNorm(nn.Module):
    """Layer normalization of an NCHW batch over each sample's (C, H, W), like ``nn.LayerNorm((C, H, W))``.

    ``normalized_shape`` is the tuple (C, H, W). ``weight`` (ones) and ``bias`` (zeros) are trainable and
    have that full shape: one scale and shift per value, not per channel. Example: a sample whose four
    values are 1, 2, 3, 4 (C=4, H=W=1) becomes about -1.342, -0.447, 0.447, 1.342, whatever the other
    samples hold.

    Normalizacja warstwy dla wsadu NCHW po (C, H, W) każdej próbki, jak ``nn.LayerNorm((C, H, W))``.

    ``normalized_shape`` to krotka (C, H, W). ``weight`` (jedynki) i ``bias`` (zera) są trenowalne i mają
    ten pełny kształt: jedna skala i jedno przesunięcie na każdą wartość, nie na kanał. Przykład: próbka,
    której cztery wartości to 1, 2, 3, 4 (C=4, H=W=1), przechodzi w około -1,342, -0,447, 0,447, 1,342,
    niezależnie od tego, co zawierają pozostałe próbki.
    """

    def __init__(self, normalized_shape, eps=1e-5):
        super().__init__()
        raise NotImplementedError

    def forward(self, x):
        """(N, C, H, W) -> the same shape, normalised per sample. / Ten sam kształt, normalizacja próbki."""
        raise NotImplementedError


class GroupNorm(nn.Module):
    """Group normalization, like ``nn.GroupNorm(num_groups, num_channels)``.

    The channels are split into ``num_groups`` groups of consecutive channels (channels 0..k-1, then
    k..2k-1, with k = num_channels // num_groups); each sample's group is normalised over its channels
    and the whole picture. ``weight`` (ones) and ``bias`` (zeros) are trainable, one per *channel*,
    shape (C,). Hint: view x as (N, num_groups, k, H, W), normalise over dims (2, 3, 4), view it back.

    Normalizacja grupowa, działająca jak ``nn.GroupNorm(num_groups, num_channels)``.

    Kanały dzielimy na ``num_groups`` grup *kolejnych* kanałów (kanały 0..k-1, potem k..2k-1, gdzie
    k = num_channels // num_groups); każdą grupę próbki normalizujemy po jej kanałach i całym obrazie.
    ``weight`` (jedynki) i ``bias`` (zera) są trenowalne, po jednej liczbie na *kanał*, kształt (C,).
    Wskazówka: przedstaw x (view) jako (N, num_groups, k, H, W), znormalizuj po wymiarach (2, 3, 4)
    i przywróć pierwotny kształt.
    """

    def __init__(self, num_groups, num_channels, eps=1e-5):
        super().__init__()
        raise NotImplementedError

    def forward(self, x):
        """(N, C, H, W) -> the same shape. / Ten sam kształt."""
        # x.view(n, self.num_groups, c // self.num_groups, h, w), normalize, view back, then scale
        raise NotImplementedError


class InstanceNorm2d(nn.Module):
    """Instance normalization, like ``nn.InstanceNorm2d(num_features, affine=True)`` (no running stats).

    Each channel of each sample is normalised over its own (H, W): the picture's contrast and brightness
    per channel disappear (popular in style transfer). ``weight`` (ones) and ``bias`` (zeros) are
    trainable, shape (C,). There are no buffers: eval mode computes exactly what training mode does.

    Normalizacja instancji, jak ``nn.InstanceNorm2d(num_features, affine=True)``: każdy kanał każdej
    próbki osobno, po (H, W); ``weight`` i ``bias`` o kształcie (C,); bez buforów i statystyk kroczących.
    """

    def __init__(self, num_features, eps=1e-5):
        super().__init__()
        raise NotImplementedError

    def forward(self, x):
        """(N, C, H, W) -> the same shape. / Ten sam kształt."""
        raise NotImplementedError
