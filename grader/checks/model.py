"""Checks for model.py: the Flatten layer, the conv block and the chapter's simple CNN."""
import random

import pytest
import torch
from torch import nn

from grader import queries
from grader.i18n import _
from grader.mistakes import Mistake, known
from grader.runner.proxy import send
from grader.testing import (Transposed, assert_close, assert_equal, expect_tensor, fail, is_module, random_tensor,
                            shown, type_name)

FLATTEN_HINT = _("Keep dimension 0 (the batch) and flatten all the others into one: x.flatten(1), or "
                 "x.reshape(len(x), -1).")
CNN_HINT = _("simple_cnn is nn.Sequential(conv(1, 8, ks=5), conv(8, 16), conv(16, 32), conv(32, 64), "
             "conv(64, n_classes, act=False), Flatten()).")

SQUEEZE = Mistake("model", "flatten_squeeze", _("squeeze() is used, which drops every dimension of size 1 (the "
                                                "batch too) and flattens nothing else"),
                  lambda x: x.squeeze(), _("Keep dimension 0 and flatten the others: x.flatten(1)."))
BATCH_TOO = Mistake("model", "flatten_batch_too", _("the batch dimension is flattened too (flatten() without "
                                                    "start_dim=1)"),
                    lambda x: x.flatten(), _("Keep dimension 0: x.flatten(1)."))
FLATTEN = known(SQUEEZE, BATCH_TOO)
VIEW_NOT_CONTIGUOUS = Mistake("model", "flatten_view", _("x.view(...) is asked to flatten a tensor whose memory is "
                                                         "not contiguous"),
                              fix=_("Use x.flatten(1) or x.reshape(len(x), -1), which copy when needed (after "
                                    "transpose or permute, as happens between layers)."))


def side(n, ks, stride, padding):
    return (n + 2 * padding - ks) // stride + 1


def conv_shape_mistake(id_, when, stride, padding, fix):
    return Mistake("model", id_, when, lambda ni, nf, ks, n: (2, nf, side(n, ks, stride, padding(ks)),
                                                             side(n, ks, stride, padding(ks))), fix)


CONV_SHAPE = known(
    conv_shape_mistake("conv_stride_one", _("the convolution keeps the default stride 1"), 1, lambda ks: ks // 2,
                       _("Pass stride=2, which halves the image.")),
    conv_shape_mistake("conv_no_padding", _("the convolution has no padding"), 2, lambda ks: 0,
                       _("Pad with padding=ks//2 on each side, so that stride 2 gives ceil(n/2).")),
    conv_shape_mistake("conv_padding_always_one", _("padding is always 1 instead of ks//2"), 2, lambda ks: 1,
                       _("padding=1 is only right for ks=3: use padding=ks//2.")))
ALWAYS_RELU = Mistake("model", "conv_always_relu", _("the ReLU is added even with act=False"),
                      lambda expected: expected.relu(),
                      _("With act=False return the bare conv, whose outputs (the last layer's logits) can be "
                        "negative."))
RELU_ON_LAST = Mistake("model", "relu_on_last_layer", _("the last conv is followed by a ReLU"),
                       lambda expected: expected.relu(),
                       _("The last layer is conv(64, n_classes, act=False): its outputs are logits, free to be "
                         "negative."))

# (ni, nf, ks, input side): odd and even sides, ks 1, 3 and 5, the chapter's first layer
CONV_CASES = [(1, 8, 5, 28), (8, 16, 3, 14), (3, 4, 3, 7), (2, 3, 1, 6), (4, 2, 5, 9)]


def shape_of(t):
    return tuple(t.shape)


def flatten(student, x, call):
    return expect_tensor(student.Flatten()(x), call=call)


# ------------------------------------------------------------------------------------------ Flatten
@pytest.mark.points(1)
def test_flatten_keeps_batch_of_one(student):
    x = random_tensor(1, 2, 1, 1, seed=1)
    call = f"Flatten()({shown('tensor', x.shape)})"
    got = flatten(student, x, call)
    assert_close(got, x.reshape(1, 2), call=call, atol=0, mistakes=FLATTEN.on(x),
                 hint=_("A batch of ONE image must stay a batch of one. ") + FLATTEN_HINT)


@pytest.mark.points(1)
def test_flatten_textbook_shape(student):
    x = random_tensor(64, 32, 2, 2, seed=2)
    call = f"Flatten()({shown('tensor', x.shape)})"
    got = flatten(student, x, call)
    assert_close(got, nn.Flatten()(x), call=call, atol=0, mistakes=FLATTEN.on(x),
                 hint=_("Each row must hold one image's values in their original order, as nn.Flatten does."))


@pytest.mark.points(1)
def test_flatten_matches_nn_flatten(student):
    rng = random.Random(13)
    for i in range(15):  # seeded random shapes with 2 to 5 dimensions
        shape = tuple(rng.randint(1, 4) for _dim in range(rng.randint(2, 5)))
        x = random_tensor(*shape, seed=i)
        call = f"Flatten()({shown('tensor', shape)})"
        assert_close(flatten(student, x, call), nn.Flatten()(x), call=call, atol=0, hint=FLATTEN_HINT,
                     mistakes=FLATTEN.on(x))


@pytest.mark.points(1)
def test_flatten_non_contiguous_input(student):
    x = random_tensor(4, 5, 3, 2, seed=3)
    call = "Flatten()({})".format(_("<transposed tensor of shape (4, 2, 3, 5)>"))
    transposed_then_flatten = send(nn.Sequential(Transposed()))  # transposed in the student process: not contiguous
    transposed_then_flatten.append(student.Flatten())
    try:
        got = expect_tensor(transposed_then_flatten(x), call=call)
    except NotImplementedError:
        raise
    except RuntimeError as error:
        fail(_("{call} raised RuntimeError ({error}) instead of returning shape (4, 30).").format(
            call=call, error=str(error).split("\n")[0][:160]), FLATTEN_HINT,
            VIEW_NOT_CONTIGUOUS if "view" in str(error) else None)
    x = x.transpose(1, 3)
    assert_close(got, nn.Flatten()(x), call=call, atol=0, hint=FLATTEN_HINT, mistakes=FLATTEN.on(x))


@pytest.mark.points(0.5)
def test_flatten_has_no_parameters(student):
    layer = student.Flatten()
    layer(random_tensor(2, 3, 2, 2, seed=4))  # a working layer (the stub raises NotImplementedError here)
    count = sum(p.numel() for p in layer.parameters())
    if count:
        fail(_("Flatten() has {count} parameters; it should have none.").format(count=count),
             _("Flatten only rearranges values: it needs no weights (no nn.Linear or nn.Parameter inside)."))


# --------------------------------------------------------------------------------------------- conv
def conv_weight_and_bias(layer, ni, nf, ks, call):
    """The one 4-D weight and the one bias of the student's conv block, whatever modules hold them."""
    if not is_module(layer):
        fail(_("{call} returned {kind}, expected an nn.Module.").format(call=call, kind=type_name(layer)),
             _("Return nn.Conv2d(...) itself, or nn.Sequential(nn.Conv2d(...), nn.ReLU()) when act is true."))
    params = list(layer.parameters())
    weights = [p for p in params if p.dim() == 4]
    biases = [p for p in params if p.dim() == 1]
    if len(params) != 2 or len(weights) != 1 or len(biases) != 1 or shape_of(weights[0]) != (nf, ni, ks, ks) \
            or shape_of(biases[0]) != (nf,):
        fail(_("{call} should hold one weight of shape {weight} and one bias of shape {bias}; it has parameters of "
               "shapes {got}.").format(call=call, weight=(nf, ni, ks, ks), bias=(nf,),
                                       got=[shape_of(p) for p in params]),
             _("Build it with nn.Conv2d(ni, nf, ks, stride=2, padding=ks//2) (bias on, the default)."))
    return weights[0], biases[0]


def reference_conv(student_layer, ni, nf, ks, act, call):
    """The chapter's conv block carrying the student's own weights, so outputs can be compared exactly."""
    weight, bias = conv_weight_and_bias(student_layer, ni, nf, ks, call)
    layer = nn.Conv2d(ni, nf, ks, stride=2, padding=ks // 2)
    with torch.no_grad():
        layer.weight.copy_(weight)
        layer.bias.copy_(bias)
    return nn.Sequential(layer, nn.ReLU()) if act else layer


@pytest.mark.points(1)
def test_conv_output_shape(student):
    for ni, nf, ks, n in CONV_CASES:
        call = f"conv({ni}, {nf}, ks={ks})({shown('tensor', (2, ni, n, n))})"
        with torch.no_grad():
            got = expect_tensor(student.conv(ni, nf, ks)(random_tensor(2, ni, n, n, seed=n)), call=call)
        expected = (2, nf, side(n, ks, 2, ks // 2), side(n, ks, 2, ks // 2))
        assert_equal(shape_of(got), expected, call=call + ".shape", mistakes=CONV_SHAPE.on(ni, nf, ks, n),
                     hint=_("conv is nn.Conv2d(ni, nf, ks, stride=2, padding=ks//2): the side becomes "
                            "(n + 2*(ks//2) - ks)//2 + 1."))


@pytest.mark.points(0.5)
def test_conv_has_weight_and_bias(student):
    for ni, nf, ks, _n in CONV_CASES:
        for act in (True, False):
            conv_weight_and_bias(student.conv(ni, nf, ks, act=act), ni, nf, ks,
                                 call=f"conv({ni}, {nf}, ks={ks}, act={act})")


@pytest.mark.points(1)
def test_conv_relu_when_act(student):
    for ni, nf, ks, n in CONV_CASES:
        call = f"conv({ni}, {nf}, ks={ks}, act=True)"
        layer = student.conv(ni, nf, ks, act=True)
        x = random_tensor(2, ni, n, n, seed=10 + n)
        with torch.no_grad():
            expected = reference_conv(layer, ni, nf, ks, True, call)(x)
            got = expect_tensor(layer(x), call=call)
        hint = (_("With act=True the conv is followed by a ReLU: return nn.Sequential(conv, nn.ReLU()).")
                if shape_of(got) == shape_of(expected) and (got < 0).any() else
                _("conv(ni, nf, ks) is nn.Conv2d(ni, nf, ks, stride=2, padding=ks//2) followed by nn.ReLU()."))
        assert_close(got, expected, call=f"{call}({shown('tensor', x.shape)})", hint=hint)


@pytest.mark.points(1)
def test_conv_no_relu_when_act_false(student):
    for ni, nf, ks, n in CONV_CASES:
        call = f"conv({ni}, {nf}, ks={ks}, act=False)"
        layer = student.conv(ni, nf, ks, act=False)
        x = random_tensor(2, ni, n, n, seed=20 + n)
        with torch.no_grad():
            expected = reference_conv(layer, ni, nf, ks, False, call)(x)
            got = expect_tensor(layer(x), call=call)
        assert_close(got, expected, call=f"{call}({shown('tensor', x.shape)})",
                     hint=_("conv(ni, nf, ks, act=False) is just nn.Conv2d(ni, nf, ks, stride=2, padding=ks//2)."),
                     mistakes=known(ALWAYS_RELU).on(expected))


# --------------------------------------------------------------------------------------- simple_cnn
def reference_cnn(n_classes):
    def block(ni, nf, ks=3, act=True):
        layer = nn.Conv2d(ni, nf, ks, stride=2, padding=ks // 2)
        return [layer, nn.ReLU()] if act else [layer]
    return nn.Sequential(*block(1, 8, 5), *block(8, 16), *block(16, 32), *block(32, 64),
                         *block(64, n_classes, act=False), nn.Flatten())


def cnn_params(n_classes, first_ks=5, linear_head=False):
    def block(ni, nf, ks=3):
        return nf * ni * ks * ks + nf
    convs = block(1, 8, first_ks) + block(8, 16) + block(16, 32) + block(32, 64)
    return convs + (block(64, 64) + 64 * n_classes + n_classes if linear_head else block(64, n_classes))


CNN_PARAMS = known(
    Mistake("model", "first_layer_ks3", _("the first layer uses ks=3 instead of the chapter's ks=5"),
            lambda n_classes: cnn_params(n_classes, first_ks=3), _("The first layer is conv(1, 8, ks=5).")),
    Mistake("model", "linear_head", _("the model ends with a Linear layer instead of a last conv with n_classes "
                                      "channels"),
            lambda n_classes: cnn_params(n_classes, linear_head=True),
            _("The last conv, conv(64, n_classes, act=False), already gives one number per class on a 1x1 grid.")))


def random_images(n):
    return _("<{n} random 28x28 images>").format(n=n)


def build_cnn(student, n_classes=10):
    call = f"simple_cnn({n_classes})"
    model = student.simple_cnn(n_classes)
    if not is_module(model):
        fail(_("{call} returned {kind}, expected an nn.Module.").format(call=call, kind=type_name(model)),
             CNN_HINT)
    return model


def run_cnn(model, x, call):
    """model(x) without gradients; a crash inside the layers (e.g. a kernel bigger than what is left of the
    image) becomes a message about the architecture instead of a bare torch error."""
    try:
        with torch.no_grad():
            return expect_tensor(model(x), call=call)
    except NotImplementedError:
        raise
    except RuntimeError as error:
        fail(_("{call} raised RuntimeError: {error}.").format(
            call=call, error=str(error).split("\n")[0][:200].rstrip(". ")),
             _("Each conv must use stride=2 and padding=ks//2, so that the image shrinks 28 -> 14 -> 7 -> 4 -> 2 -> 1 "
               "and never becomes smaller than a kernel. ") + CNN_HINT)


@pytest.mark.points(1)
def test_simple_cnn_output_shape(student):
    for n_classes, batch in [(10, 3), (4, 1)]:
        model = build_cnn(student, n_classes)
        call = f"simple_cnn({n_classes})({shown('images', (batch, 1, 28, 28))})"
        got = run_cnn(model, random_tensor(batch, 1, 28, 28, low=0, high=1, seed=batch), call)
        assert_equal(shape_of(got), (batch, n_classes), call=call,
                     hint=_("One row of n_classes logits per image: the last conv has n_classes output channels "
                            "on a 1x1 grid, and Flatten keeps the batch dimension (even for a single image)."))


@pytest.mark.points(1)
def test_simple_cnn_spatial_sizes(student):
    model = build_cnn(student)
    x = random_tensor(2, 1, 28, 28, low=0, high=1, seed=5)
    run_cnn(model, x, "simple_cnn()({})".format(random_images(2)))
    sides = [out["shape"][-1] for out in queries.leaf_outputs(model, x) if out["shape"] and len(out["shape"]) == 4]
    got = " -> ".join(map(str, [28, *sides]))
    if got != "28 -> 14 -> 7 -> 4 -> 2 -> 1":
        fail(_("The conv layers of simple_cnn() should shrink the image 28 -> 14 -> 7 -> 4 -> 2 -> 1, but they give "
               "{got}.").format(got=got),
             _("Five stride-2 convs with padding ks//2 halve the side each time (rounding up); ") + CNN_HINT)


@pytest.mark.points(1)
def test_simple_cnn_parameter_count(student):
    got = sum(p.numel() for p in build_cnn(student).parameters())
    assert_equal(got, 30_282, call=_("the number of parameters of simple_cnn(10)"), mistakes=CNN_PARAMS.on(10),
                 hint=_("The five convs have 208 + 1,168 + 4,640 + 18,496 + 5,770 parameters (weights "
                        "nf*ni*ks*ks plus nf biases each; the first has ks=5). ") + CNN_HINT)
    for n_classes in (2, 7):
        got = sum(p.numel() for p in build_cnn(student, n_classes).parameters())
        expected = sum(p.numel() for p in reference_cnn(n_classes).parameters())
        assert_equal(got, expected, call=_("the number of parameters of simple_cnn({n})").format(n=n_classes),
                     mistakes=CNN_PARAMS.on(n_classes),
                     hint=_("Only the last conv depends on n_classes: conv(64, n_classes, act=False) has "
                            "n_classes*64*3*3 + n_classes parameters."))


@pytest.mark.points(0.5)
def test_simple_cnn_has_no_linear_layer(student):
    structure = queries.describe(build_cnn(student))
    linear = [m["name"] or "model" for m in structure["modules"] if "torch.nn.modules.linear.Linear" in m["mro"]]
    matrices = [p["name"] for p in structure["parameters"] if len(p["shape"]) == 2]
    if linear or matrices:
        fail(_("simple_cnn() contains a fully connected layer ({where}); the chapter's CNN has none.").format(
            where=", ".join(linear or matrices)),
             _("The last conv, conv(64, n_classes, act=False), already outputs one number per class on a 1x1 "
               "grid; Flatten turns it into the logits."))


@pytest.mark.points(1.5)
def test_simple_cnn_matches_reference(student):
    model = build_cnn(student)
    reference = reference_cnn(10)
    got_shapes = [shape_of(p) for p in model.parameters()]
    expected_shapes = [shape_of(p) for p in reference.parameters()]
    if got_shapes != expected_shapes:
        fail(_("simple_cnn() has parameters of shapes {got}; the chapter's layers give {expected}.").format(
            got=got_shapes, expected=expected_shapes), CNN_HINT)
    with torch.no_grad():
        for mine, theirs in zip(reference.parameters(), model.parameters()):
            mine.copy_(theirs)
        x = random_tensor(4, 1, 28, 28, low=0, high=1, seed=7)
        expected = reference(x)
    call = "simple_cnn()({})".format(random_images(4))
    assert_close(run_cnn(model, x, call), expected, call=call, atol=1e-5, mistakes=known(RELU_ON_LAST).on(expected),
                 hint=_("With the same weights it must compute what the chapter's model computes: stride 2 and "
                        "padding ks//2 in every conv, ReLU after each conv except the last. ") + CNN_HINT)


@pytest.mark.points(0.5)
def test_simple_cnn_last_layer_has_no_relu(student):
    model = build_cnn(student)
    got = run_cnn(model, random_tensor(8, 1, 28, 28, low=0, high=1, seed=9), "simple_cnn()({})".format(random_images(8)))
    if not (got < 0).any():
        fail(_("simple_cnn() never outputs a negative number for 8 random images: its outputs are logits, which "
               "must be free to be negative."),
             _("Do not put a ReLU after the last layer: conv(64, n_classes, act=False)."))
