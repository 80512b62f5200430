"""Checks for params.py: parameters of a conv layer, of a whole model (frozen or not), multiplications."""
import random

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from grader.i18n import _
from grader.testing import assert_equal

# The fastbook 3-vs-7 model: (ni, nf, parameters printed by the chapter), ks=3 everywhere.
TEXTBOOK_LAYERS = [(1, 4, 40), (4, 8, 296), (8, 16, 1168), (16, 32, 4640), (32, 2, 578)]


def torch_conv_params(ni, nf, ks, bias):
    """What PyTorch allocates (on the meta device: shapes only, no memory, no initialisation cost)."""
    return sum(p.numel() for p in nn.Conv2d(ni, nf, ks, bias=bias, device="meta").parameters())


def conv_params_hint(ni, nf, ks, bias, got):
    """The likely mistake behind a wrong conv_params answer."""
    weights = nf * ni * ks * ks
    if bias and got == weights:
        return _("The biases are missing: add nf, one bias per filter.")
    if bias and got in (weights + nf * ni, weights + weights):
        return _("There is one bias per filter (nf in all), not one per input channel or per weight.")
    if got == nf * ni * ks + (nf if bias else 0):
        return _("A ks x ks kernel has ks*ks weights, not ks.")
    if not bias and got == weights + nf:
        return _("With bias=False the layer has no biases: count only the nf*ni*ks*ks weights.")
    return _("A conv layer has one ks x ks kernel per (filter, input channel) pair -- nf*ni*ks*ks weights -- plus "
             "nf biases when bias is true.")


def random_conv_args(seed, count):
    rng = random.Random(seed)
    return [(rng.randint(1, 64), rng.randint(1, 64), rng.choice([1, 2, 3, 5, 7])) for _case in range(count)]


# -------------------------------------------------------------------------------------- conv_params
@pytest.mark.points(2)
def test_conv_params_textbook(student):
    total = 0
    for ni, nf, expected in TEXTBOOK_LAYERS:
        got = student.conv_params(ni, nf, 3)
        assert_equal(got, expected, call=f"conv_params({ni}, {nf}, 3)", hint=conv_params_hint(ni, nf, 3, True, got))
        total += got
    assert_equal(total, 6722, call=_("the sum of conv_params over the five layers of the 3-vs-7 model"),
                 hint=_("Add up the five layers' counts."))


@pytest.mark.points(2)
def test_conv_params_matches_conv2d(student):
    for ni, nf, ks in random_conv_args(seed=1, count=20):
        got = student.conv_params(ni, nf, ks)
        assert_equal(got, torch_conv_params(ni, nf, ks, True), call=f"conv_params({ni}, {nf}, {ks})",
                     hint=conv_params_hint(ni, nf, ks, True, got))


@pytest.mark.points(1)
def test_conv_params_without_bias(student):
    for ni, nf, ks in random_conv_args(seed=2, count=10):
        got = student.conv_params(ni, nf, ks, bias=False)
        assert_equal(got, torch_conv_params(ni, nf, ks, False), call=f"conv_params({ni}, {nf}, {ks}, bias=False)",
                     hint=conv_params_hint(ni, nf, ks, False, got))


# ------------------------------------------------------------------------------------- count_params
def textbook_model():
    def block(ni, nf, act=True):
        layer = nn.Conv2d(ni, nf, 3, stride=2, padding=1, device="meta")
        return nn.Sequential(layer, nn.ReLU()) if act else layer
    return nn.Sequential(block(1, 4), block(4, 8), block(8, 16), block(16, 32), block(32, 2, act=False), nn.Flatten())


def random_model(seed, freeze):
    """A small runnable model: convs (with or without bias), BatchNorm (which also has buffers), a Linear head and
    a Linear layer used twice (shared parameters count once). Returns (model, one-line description)."""
    rng = random.Random(seed)
    layers, parts, c = [], [], rng.randint(1, 4)
    for _block in range(rng.randint(1, 3)):
        nf, ks, bias = rng.randint(1, 8), rng.choice([1, 3, 5]), rng.random() < 0.5
        layers += [nn.Conv2d(c, nf, ks, padding=ks // 2, bias=bias, device="meta")]
        parts.append(f"Conv2d({c}, {nf}, {ks}, bias={bias})")
        if rng.random() < 0.6:
            layers.append(nn.BatchNorm2d(nf, device="meta"))
            parts.append(f"BatchNorm2d({nf})")
        layers.append(nn.ReLU())
        parts.append("ReLU()")
        c = nf
    n_out, bias = rng.randint(2, 6), rng.random() < 0.5
    shared = nn.Linear(n_out, n_out, device="meta")
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, n_out, bias=bias, device="meta"), shared,
               nn.ReLU(), shared]
    parts += ["AdaptiveAvgPool2d(1)", "Flatten()", f"Linear({c}, {n_out}, bias={bias})",
              f"shared = Linear({n_out}, {n_out})", "ReLU()", "shared"]
    model = nn.Sequential(*layers)
    description = "Sequential(" + ", ".join(parts) + ")"
    if freeze:
        named = list(model.named_parameters())
        frozen = [name for name, _p in named if rng.random() < 0.4] or [named[0][0]]
        if len(frozen) == len(named):
            frozen = frozen[1:]
        for name, p in named:
            p.requires_grad_(name not in frozen)
        description += " " + _("with frozen {names}").format(names=", ".join(frozen))
    return model, description


COUNT_HINT = _("Add p.numel() (the number of values, not 1 per tensor) over model.parameters(); buffers such as "
               "BatchNorm's running_mean are not parameters (so do not use state_dict()), and a layer used twice "
               "counts once.")


@pytest.mark.points(1)
def test_count_params_textbook_model(student):
    assert_equal(student.count_params(textbook_model()), 6722,
                 call="count_params(<the fastbook 3-vs-7 CNN: conv(1,4), conv(4,8), conv(8,16), conv(16,32), "
                      "conv(32,2,act=False)>)", hint=COUNT_HINT)


@pytest.mark.points(2)
def test_count_params_matches_torch(student):
    for seed in range(12):
        model, description = random_model(seed, freeze=False)
        assert_equal(student.count_params(model), sum(p.numel() for p in model.parameters()),
                     call=f"count_params({description})", hint=COUNT_HINT)


@pytest.mark.points(1)
def test_count_params_skips_frozen(student):
    for seed in range(100, 108):
        model, description = random_model(seed, freeze=True)
        expected = sum(p.numel() for p in model.parameters() if p.requires_grad)
        for call, got in [(f"count_params({description})", student.count_params(model)),
                          (f"count_params({description}, trainable_only=True)",
                           student.count_params(model, trainable_only=True))]:
            assert_equal(got, expected, call=call,
                         hint=_("With trainable_only=True (the default) skip the parameters whose requires_grad is "
                                "False: they are frozen and training does not change them."))


@pytest.mark.points(1)
def test_count_params_all_when_asked(student):
    for seed in range(100, 108):
        model, description = random_model(seed, freeze=True)
        assert_equal(student.count_params(model, trainable_only=False), sum(p.numel() for p in model.parameters()),
                     call=f"count_params({description}, trainable_only=False)",
                     hint=_("With trainable_only=False count every parameter, frozen ones (requires_grad False) "
                            "included. ") + COUNT_HINT)


# --------------------------------------------------------------------------------------- conv_mults
def conv_mults_hint(ni, nf, ks, out_h, out_w, got):
    if got == out_h * out_w * (nf * ni * ks * ks + nf):
        return _("Biases are excluded: adding a bias is an addition, not a multiplication.")
    if out_h != out_w and got in (out_h * out_h * nf * ni * ks * ks, out_w * out_w * nf * ni * ks * ks):
        return _("The output grid is out_h x out_w: use both, it need not be square.")
    return _("Each of the out_h*out_w*nf output values is a dot product of ni*ks*ks pairs: one multiplication per "
             "pair.")


@pytest.mark.points(1)
def test_conv_mults_textbook(student):
    got = student.conv_mults(8, 16, 3, 7, 7)
    assert_equal(got, 56_448, call="conv_mults(8, 16, 3, 7, 7)", hint=conv_mults_hint(8, 16, 3, 7, 7, got))


@pytest.mark.points(2)
def test_conv_mults_matches_conv(student):
    rng = random.Random(3)
    for _case in range(20):
        ni, nf, ks, stride = rng.randint(1, 16), rng.randint(1, 16), rng.choice([1, 3, 5, 7]), rng.randint(1, 3)
        padding, h, w = rng.randint(0, ks // 2), rng.randint(ks, 24), rng.randint(ks, 24)
        out = F.conv2d(torch.zeros(1, ni, h, w), torch.zeros(nf, ni, ks, ks), stride=stride, padding=padding)
        out_h, out_w = out.shape[-2:]
        expected = out.numel() * ni * ks * ks  # one multiplication per (output value, kernel weight of its filter)
        got = student.conv_mults(ni, nf, ks, out_h, out_w)
        assert_equal(got, expected, call=f"conv_mults({ni}, {nf}, {ks}, {out_h}, {out_w})",
                     hint=conv_mults_hint(ni, nf, ks, out_h, out_w, got))
