"""Checks for params.py: parameters of a conv layer, of a whole model (frozen or not), multiplications."""
import random

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from grader.i18n import _
from grader.mistakes import Mistake, known
from grader.testing import assert_equal

# The fastbook 3-vs-7 model: (ni, nf, parameters printed by the chapter), ks=3 everywhere.
TEXTBOOK_LAYERS = [(1, 4, 40), (4, 8, 296), (8, 16, 1168), (16, 32, 4640), (32, 2, 578)]


def torch_conv_params(ni, nf, ks, bias):
    """What PyTorch allocates (on the meta device: shapes only, no memory, no initialisation cost)."""
    return sum(p.numel() for p in nn.Conv2d(ni, nf, ks, bias=bias, device="meta").parameters())


CONV_PARAMS = known(
    Mistake("params", "forgets_bias", _("the nf biases are forgotten"),
            lambda ni, nf, ks, bias=True: nf * ni * ks * ks, _("Add nf, one bias per filter, when bias is true.")),
    Mistake("params", "bias_per_input_channel", _("every kernel (filter x input channel) gets its own bias"),
            lambda ni, nf, ks, bias=True: nf * ni * (ks * ks + (1 if bias else 0)),
            _("There is one bias per filter: nf in all.")),
    Mistake("params", "ks_not_squared", _("a kernel is counted as ks weights instead of ks*ks"),
            lambda ni, nf, ks, bias=True: nf * ni * ks + (nf if bias else 0),
            _("A ks x ks kernel has ks*ks weights.")),
    Mistake("params", "bias_flag_ignored", _("the biases are counted even with bias=False"),
            lambda ni, nf, ks, bias=True: nf * ni * ks * ks + nf,
            _("With bias=False the layer has only its nf*ni*ks*ks weights.")))
CONV_PARAMS_HINT = _("A conv layer has one ks x ks kernel per (filter, input channel) pair -- nf*ni*ks*ks weights -- "
                     "plus nf biases when bias is true.")


def random_conv_args(seed, count):
    rng = random.Random(seed)
    return [(rng.randint(1, 64), rng.randint(1, 64), rng.choice([1, 2, 3, 5, 7])) for _case in range(count)]


# -------------------------------------------------------------------------------------- conv_params
@pytest.mark.points(2)
def test_conv_params_textbook(student):
    total = 0
    for ni, nf, expected in TEXTBOOK_LAYERS:
        got = student.conv_params(ni, nf, 3)
        assert_equal(got, expected, call=f"conv_params({ni}, {nf}, 3)", hint=CONV_PARAMS_HINT,
                     mistakes=CONV_PARAMS.on(ni, nf, 3))
        total += got
    assert_equal(total, 6722, call=_("the sum of conv_params over the five layers of the 3-vs-7 model"),
                 hint=_("Add up the five layers' counts."))


@pytest.mark.points(2)
def test_conv_params_matches_conv2d(student):
    for ni, nf, ks in random_conv_args(seed=1, count=20):
        assert_equal(student.conv_params(ni, nf, ks), torch_conv_params(ni, nf, ks, True),
                     call=f"conv_params({ni}, {nf}, {ks})", hint=CONV_PARAMS_HINT, mistakes=CONV_PARAMS.on(ni, nf, ks))


@pytest.mark.points(1)
def test_conv_params_without_bias(student):
    for ni, nf, ks in random_conv_args(seed=2, count=10):
        assert_equal(student.conv_params(ni, nf, ks, bias=False), torch_conv_params(ni, nf, ks, False),
                     call=f"conv_params({ni}, {nf}, {ks}, bias=False)", hint=CONV_PARAMS_HINT,
                     mistakes=CONV_PARAMS.on(ni, nf, ks, bias=False))


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


def _counted(model, keep=lambda p: True):
    return sum(p.numel() for p in model.parameters() if keep(p))


COUNT_PARAMS = known(
    Mistake("params", "counts_state_dict", _("the state_dict is counted, which also holds the buffers (BatchNorm's "
                                             "running statistics)"),
            lambda model, trainable_only=True: sum(t.numel() for t in model.state_dict().values()),
            _("Buffers are not parameters: sum p.numel() over model.parameters().")),
    Mistake("params", "counts_tensors", _("parameter tensors are counted instead of their values"),
            lambda model, trainable_only=True: len([p for p in model.parameters()
                                                    if p.requires_grad or not trainable_only]),
            _("Add p.numel(), the number of values of each tensor.")),
    Mistake("params", "trainable_only_ignored", _("frozen parameters are counted although trainable_only is true"),
            lambda model, trainable_only=True: _counted(model),
            _("With trainable_only=True skip the parameters whose requires_grad is False.")),
    Mistake("params", "always_trainable_only", _("frozen parameters are skipped although trainable_only is false"),
            lambda model, trainable_only=True: _counted(model, lambda p: p.requires_grad),
            _("With trainable_only=False count every parameter, frozen ones included.")))
COUNT_HINT = _("Add p.numel() (the number of values, not 1 per tensor) over model.parameters(); buffers such as "
               "BatchNorm's running_mean are not parameters (so do not use state_dict()), and a layer used twice "
               "counts once.")


@pytest.mark.points(1)
def test_count_params_textbook_model(student):
    model = textbook_model()
    assert_equal(student.count_params(model), 6722, mistakes=COUNT_PARAMS.on(model), hint=COUNT_HINT,
                 call="count_params({})".format(_("<the fastbook 3-vs-7 CNN: conv(1,4), conv(4,8), conv(8,16), "
                                                  "conv(16,32), conv(32,2,act=False)>")))


@pytest.mark.points(2)
def test_count_params_matches_torch(student):
    for seed in range(12):
        model, description = random_model(seed, freeze=False)
        assert_equal(student.count_params(model), sum(p.numel() for p in model.parameters()),
                     call=f"count_params({description})", hint=COUNT_HINT, mistakes=COUNT_PARAMS.on(model))


@pytest.mark.points(1)
def test_count_params_skips_frozen(student):
    for seed in range(100, 108):
        model, description = random_model(seed, freeze=True)
        expected = sum(p.numel() for p in model.parameters() if p.requires_grad)
        for call, got in [(f"count_params({description})", student.count_params(model)),
                          (f"count_params({description}, trainable_only=True)",
                           student.count_params(model, trainable_only=True))]:
            assert_equal(got, expected, call=call, mistakes=COUNT_PARAMS.on(model),
                         hint=_("With trainable_only=True (the default) skip the parameters whose requires_grad is "
                                "False: they are frozen and training does not change them."))


@pytest.mark.points(1)
def test_count_params_all_when_asked(student):
    for seed in range(100, 108):
        model, description = random_model(seed, freeze=True)
        assert_equal(student.count_params(model, trainable_only=False), sum(p.numel() for p in model.parameters()),
                     mistakes=COUNT_PARAMS.on(model, trainable_only=False),
                     call=f"count_params({description}, trainable_only=False)",
                     hint=_("With trainable_only=False count every parameter, frozen ones (requires_grad False) "
                            "included. ") + COUNT_HINT)


# --------------------------------------------------------------------------------------- conv_mults
CONV_MULTS = known(
    Mistake("params", "mults_include_bias", _("the biases are counted as multiplications"),
            lambda ni, nf, ks, out_h, out_w: out_h * out_w * (nf * ni * ks * ks + nf),
            _("Adding a bias is an addition, not a multiplication: biases are excluded.")),
    Mistake("params", "mults_square_output", _("the output grid is taken as square (out_h*out_h or out_w*out_w)"),
            lambda ni, nf, ks, out_h, out_w: out_h * out_h * nf * ni * ks * ks,
            _("The output grid is out_h x out_w: use both.")),
    Mistake("params", "mults_forget_input_channels", _("the input channels are left out (out_h*out_w*nf*ks*ks)"),
            lambda ni, nf, ks, out_h, out_w: out_h * out_w * nf * ks * ks,
            _("Each output value is a dot product over all ni*ks*ks inputs of its window.")))
MULTS_HINT = _("Each of the out_h*out_w*nf output values is a dot product of ni*ks*ks pairs: one multiplication per "
               "pair.")


@pytest.mark.points(1)
def test_conv_mults_textbook(student):
    assert_equal(student.conv_mults(8, 16, 3, 7, 7), 56_448, call="conv_mults(8, 16, 3, 7, 7)", hint=MULTS_HINT,
                 mistakes=CONV_MULTS.on(8, 16, 3, 7, 7))


@pytest.mark.points(2)
def test_conv_mults_matches_conv(student):
    rng = random.Random(3)
    for _case in range(20):
        ni, nf, ks, stride = rng.randint(1, 16), rng.randint(1, 16), rng.choice([1, 3, 5, 7]), rng.randint(1, 3)
        padding, h, w = rng.randint(0, ks // 2), rng.randint(ks, 24), rng.randint(ks, 24)
        out = F.conv2d(torch.zeros(1, ni, h, w), torch.zeros(nf, ni, ks, ks), stride=stride, padding=padding)
        out_h, out_w = out.shape[-2:]
        expected = out.numel() * ni * ks * ks  # one multiplication per (output value, kernel weight of its filter)
        assert_equal(student.conv_mults(ni, nf, ks, out_h, out_w), expected,
                     call=f"conv_mults({ni}, {nf}, {ks}, {out_h}, {out_w})", hint=MULTS_HINT,
                     mistakes=CONV_MULTS.on(ni, nf, ks, out_h, out_w))
