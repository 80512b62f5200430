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

Poza normalizacją wsadową: normalizacja warstwy, grupy i instancji (rozdział 13, dalsze badania).
Wszystkie liczą ``(x - średnia) / sqrt(wariancja + eps)``, a potem trenowalną skalę ``weight``
i przesunięcie ``bias``; różnią się tylko tym, *które wartości dzielą średnią i wariancję*. Dla wsadu
NCHW: normalizacja wsadowa - dla kanału, po wsadzie i obrazie (wymiary 0, 2, 3); warstwy - dla próbki,
po całym (C, H, W); grupy - dla próbki i grupy ``C // num_groups`` *kolejnych* kanałów; instancji - dla
próbki i kanału, po (H, W). Trzy ostatnie nie patrzą na inne próbki, więc działają tak samo w trybie
uczenia i ewaluacji, działają dla wsadu jednej próbki i nie mają statystyk kroczących. Używaj
wariancji obciążonej, ``eps`` pod pierwiastkiem, bez ``F.layer_norm``, ``F.group_norm``,
``F.instance_norm`` i ``F.batch_norm``.
"""
import torch
from torch import nn


def normalize(x, dims, eps):
    """``(x - mean) / sqrt(var + eps)`` with the mean and the biased variance taken over ``dims`` (kept).

    ``(x - średnia) / sqrt(wariancja + eps)``, średnia i wariancja obciążona po wymiarach ``dims``.
    """
    # x.mean(dims, keepdim=True) and x.var(dims, unbiased=False, keepdim=True)
    raise NotImplementedError


class LayerNorm(nn.Module):
    """Layer normalization of an NCHW batch over each sample's (C, H, W), like ``nn.LayerNorm((C, H, W))``.

    ``normalized_shape`` is the tuple (C, H, W). ``weight`` (ones) and ``bias`` (zeros) are trainable and
    have that full shape: one scale and shift per value, not per channel. Example: a sample whose four
    values are 1, 2, 3, 4 (C=4, H=W=1) becomes about -1.342, -0.447, 0.447, 1.342, whatever the other
    samples hold.

    Normalizacja warstwy dla wsadu NCHW po (C, H, W) każdej próbki, jak ``nn.LayerNorm((C, H, W))``;
    ``weight`` (jedynki) i ``bias`` (zera) mają pełny kształt (C, H, W).
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

    Normalizacja grupowa, jak ``nn.GroupNorm``: kanały dzielimy na ``num_groups`` grup *kolejnych*
    kanałów; każdą grupę próbki normalizujemy po jej kanałach i całym obrazie; ``weight`` i ``bias``
    mają po jednej liczbie na kanał, kształt (C,).
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
