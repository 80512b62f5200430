"""Checks for batchnorm.py: BatchNorm2d against nn.BatchNorm2d (training and evaluation, outputs,
gradients, running statistics) and the conv_bn block."""
import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from grader import queries
from grader.i18n import _
from grader.mistakes import Mistake, known
from grader.testing import (assert_close, assert_equal, fail, forbid, is_module, random_tensor, randomized, shown,
                            type_name)

FOLLOW_TRAINING = _("The layer must follow self.training, which .train() and .eval() set (not "
                    "torch.is_grad_enabled(): gradients are on while it is graded, in both modes).")
TRAIN_HINT = _("In training mode normalise each channel with the batch's own mean and biased variance over "
               "dims (0, 2, 3): (x - mean) / sqrt(var + eps) * weight + bias, with mean and var broadcast as "
               "shape (1, C, 1, 1).")
GRAD_HINT = _("Build the output from differentiable torch operations on x, weight and bias (no .detach(), no "
              "torch.no_grad() around the normalisation itself) so autograd gives the same gradients as "
              "nn.BatchNorm2d.")
RUNNING_HINT = _("After each training batch: running = (1 - momentum) * running + momentum * batch_statistic, "
                 "with the unbiased variance (n / (n - 1) times the biased one, n = N*H*W) for running_var.")
EVAL_HINT = _("In eval mode normalise with running_mean and running_var and leave them unchanged: "
              "(x - running_mean) / sqrt(running_var + eps) * weight + bias.")


def channels(t):
    return t[None, :, None, None]


def normalised(x, mean, var, weight, bias, eps, eps_outside=False):
    scale = torch.sqrt(var) + eps if eps_outside else torch.sqrt(var + eps)
    return (x - mean) / scale * channels(weight) + channels(bias)


def batch_normalised(x, weight, bias, eps, *, dims=(0, 2, 3), unbiased=False, eps_outside=False):
    mean, var = x.mean(dim=dims, keepdim=True), x.var(dim=dims, unbiased=unbiased, keepdim=True)
    return normalised(x, mean, var, weight, bias, eps, eps_outside)


EPS_OUTSIDE = Mistake("batchnorm", "eps_outside_sqrt", _("eps is added after the square root, sqrt(var) + eps"),
                      lambda x, weight, bias, eps: batch_normalised(x, weight, bias, eps, eps_outside=True),
                      _("eps belongs inside the square root, (x - mean) / sqrt(var + eps): it keeps the division "
                        "safe when a channel barely varies."))
UNBIASED = Mistake("batchnorm", "unbiased_normalisation", _("the batch is normalised with the unbiased variance"),
                   lambda x, weight, bias, eps: batch_normalised(x, weight, bias, eps, unbiased=True),
                   _("Normalise with the biased variance, x.var(..., unbiased=False), which divides by n, as "
                     "nn.BatchNorm2d does."))
STATS_OVER_DIM0 = Mistake("batchnorm", "stats_over_dim0", _("the statistics are taken over dim 0 only, one per "
                                                             "pixel instead of one per channel"),
                          lambda x, weight, bias, eps: batch_normalised(x, weight, bias, eps, dims=(0,)),
                          _("Average each channel over the batch and both spatial dims, (0, 2, 3)."))
TRAINING = known(EPS_OUTSIDE, UNBIASED, STATS_OVER_DIM0)
EVAL_EPS_OUTSIDE = Mistake("batchnorm", "eps_outside_sqrt_in_eval", EPS_OUTSIDE.when,
                           lambda x, weight, bias, eps, mean, var: normalised(x, channels(mean), channels(var), weight,
                                                                              bias, eps, eps_outside=True),
                           EPS_OUTSIDE.fix)
EVAL_BATCH_STATS = Mistake("batchnorm", "eval_uses_batch_stats", _("eval mode normalises with the batch's own "
                                                                   "statistics"),
                           lambda x, weight, bias, eps, mean, var: batch_normalised(x, weight, bias, eps),
                           _("In eval mode use running_mean and running_var, so that a prediction does not change "
                             "with the other images in its batch."))
IGNORES_TRAINING = Mistake("batchnorm", "mode_from_grad_mode", _("the layer does not follow self.training (in eval "
                                                                 "mode it normalised with the batch and updated the "
                                                                 "running statistics, as in training)"),
                           lambda x, weight, bias, eps, mean, var: batch_normalised(x, weight, bias, eps),
                           FOLLOW_TRAINING)
GAMMA_BETA_BUFFERS = Mistake("batchnorm", "gamma_beta_buffers", _("weight and bias are registered as buffers"),
                             fix=_("Make gamma (weight) and beta (bias) nn.Parameter: the optimizer trains only "
                                   "parameters."))
SHAPE_1C11 = Mistake("batchnorm", "gamma_beta_shape_1c11", _("weight and bias have shape (1, C, 1, 1)"),
                     lambda start: start.view(1, -1, 1, 1),
                     _("Give them shape (C,), as nn.BatchNorm2d does, and broadcast them as (1, C, 1, 1) in "
                       "forward."))
BIASED_RUNNING_VAR = Mistake("batchnorm", "running_var_biased", _("running_var is updated with the biased "
                                                                  "variance"),
                             lambda value: value,
                             _("PyTorch normalises with the biased variance but stores the unbiased one, "
                               "var * n / (n - 1) with n = N*H*W, in running_var."))
MOMENTUM_INVERTED = Mistake("batchnorm", "momentum_inverted", _("the momentum convention is inverted, running = "
                                                                "momentum * running + (1 - momentum) * batch"),
                            lambda value: value,
                            _("PyTorch keeps (1 - momentum) of the old running value: momentum=0.1 moves it a tenth "
                              "of the way towards the batch."))
RELU_BEFORE_BN = Mistake("batchnorm", "conv_bn_relu_before_bn", _("the ReLU comes before the batch norm"),
                         lambda relu_first: relu_first(),
                         _("The order is convolution, then batch norm, then ReLU."))
CONV_BN_STRIDE_1 = Mistake("batchnorm", "conv_bn_stride_1", _("the convolution keeps the default stride 1"),
                           lambda ni, nf, ks, size: (2, nf, size, size),
                           _("Like the chapter's conv: nn.Conv2d(ni, nf, ks, stride=2, padding=ks//2)."))


shapes = st.tuples(st.integers(2, 4), st.integers(1, 4), st.integers(1, 4), st.integers(1, 4))
epss = st.sampled_from([1e-5, 1e-3])
momentums = st.sampled_from([0.1, 0.3])


def bn_input(n, c, h, w, seed):
    """Random NCHW values with a different scale and offset per channel."""
    scale = random_tensor(1, c, 1, 1, seed=seed + 7, low=0.5, high=3.0)
    shift = random_tensor(1, c, 1, 1, seed=seed + 8, low=-2.0, high=2.0)
    return random_tensor(n, c, h, w, seed=seed) * scale + shift


def tensor_attr(module, name, call):
    value = getattr(module, name, None)
    if not isinstance(value, torch.Tensor):
        fail(_("{call} has no tensor attribute `{name}`.").format(call=call, name=name),
             _("BatchNorm2d keeps weight and bias (nn.Parameter) and running_mean and running_var (buffers) as "
               "attributes with exactly these names."))
    return value


def set_tensor(module, name, value, call):
    """Copy ``value`` (shape (C,)) into the student's tensor, whatever shape they gave it."""
    target = tensor_attr(module, name, call)
    if target.numel() != value.numel():
        fail(_("{call}.{name} has shape {got}, expected one number per channel, shape {expected}.").format(
            call=call, name=name, got=tuple(target.shape), expected=tuple(value.shape)),
            _("Create it with num_features elements."))
    queries.set_tensors(module, {name: value})


def make_pair(student, c, eps, momentum, seed, call):
    """The student's module and nn.BatchNorm2d with the same random weight (gamma) and bias (beta)."""
    theirs = student.BatchNorm2d(c, eps=eps, momentum=momentum)
    ref = nn.BatchNorm2d(c, eps=eps, momentum=momentum)
    weight, bias = random_tensor(c, seed=seed + 1, low=0.5, high=1.5), random_tensor(c, seed=seed + 2)
    for name, value in (("weight", weight), ("bias", bias)):
        set_tensor(theirs, name, value, call)
        with torch.no_grad():
            getattr(ref, name).copy_(value)
    return theirs, ref


def forward_backward(module, x, grad_out, call):
    """Output and (input grad, weight grad, bias grad) of the module for upstream gradient ``grad_out``."""
    tensor_attr(module, "weight", call)
    tensor_attr(module, "bias", call)
    out, input_grads, param_grads = queries.backward(module, (x,), grad_out)
    if not isinstance(out, torch.Tensor):
        fail(_("{call} returned {kind}, expected a tensor.").format(call=call, kind=type_name(out)), GRAD_HINT)
    if out.shape != grad_out.shape:
        fail(_("{call}: expected an output of shape {expected}, got {got}.").format(
            call=call, expected=tuple(grad_out.shape), got=tuple(out.shape)),
            _("Batch norm keeps the shape of its input."))
    if input_grads is None:
        fail(_("{call} returned an output that autograd cannot differentiate.").format(call=call), GRAD_HINT)
    return out, input_grads[0], param_grads.get("weight"), param_grads.get("bias")


def compare_step(student_bn, ref, x, grad_out, call, hint, mistakes=None):
    got = forward_backward(student_bn, x, grad_out, call)
    expected = forward_backward(ref, x, grad_out, "nn.BatchNorm2d")
    assert_close(got[0], expected[0], call=call + ": " + _("output"), hint=hint, atol=1e-4, rtol=1e-4,
                 mistakes=mistakes(student_bn) if mistakes else None)
    assert_close(got[1], expected[1], call=call + ": " + _("gradient of the input"), hint=GRAD_HINT,
                 atol=1e-4, rtol=1e-4)
    for index, name in ((2, "weight"), (3, "bias")):
        if got[index] is None:
            fail(_("{call}: after backward() {name}.grad is None.").format(call=call, name=name),
                 _("weight (gamma) and bias (beta) are trainable: make them nn.Parameter, not buffers or plain "
                   "tensors, and use them in the output."))
        assert_close(got[index], expected[index], call=call + ": " + _("gradient of {name}").format(name=name),
                     hint=_("gamma and beta have one number per channel, shape (C,): multiply by weight and add "
                            "bias broadcast as (1, C, 1, 1)."), atol=1e-4, rtol=1e-4)


def describe(shape, eps, momentum):
    return _("BatchNorm2d({c}, eps={eps:g}, momentum={momentum:g}) on a batch of shape {shape}").format(
        c=shape[1], eps=eps, momentum=momentum, shape=tuple(shape))


# ------------------------------------------------------------------------------- parameters, buffers
@pytest.mark.points(1)
def test_weight_and_bias_are_trainable_parameters(student):
    for c in (1, 3, 8):
        call = f"BatchNorm2d({c})"
        bn = student.BatchNorm2d(c)
        params = dict(bn.named_parameters())
        if sorted(params) != ["bias", "weight"] and {"weight", "bias"} & set(dict(bn.named_buffers())):
            fail(_("{call}.named_parameters() gives {got}, expected ['bias', 'weight'].").format(
                call=call, got=sorted(params)), mistake=GAMMA_BETA_BUFFERS)
        assert_equal(sorted(params), ["bias", "weight"], call=call + ".named_parameters()",
                     hint=_("Batch norm's only trainable parameters are gamma (weight) and beta (bias): exactly "
                            "these two are nn.Parameter, and the running statistics are buffers."))
        assert_close(params["weight"], torch.ones(c), call=call + ".weight", atol=0,
                     mistakes=known(SHAPE_1C11).on(torch.ones(c)),
                     hint=_("gamma (weight) starts as ones and has one number per channel, shape (C,)."))
        assert_close(params["bias"], torch.zeros(c), call=call + ".bias", atol=0,
                     mistakes=known(SHAPE_1C11).on(torch.zeros(c)),
                     hint=_("beta (bias) starts as zeros and has one number per channel, shape (C,)."))


@pytest.mark.points(1)
def test_running_stats_are_buffers(student):
    for c in (1, 3, 8):
        call = f"BatchNorm2d({c})"
        bn = student.BatchNorm2d(c)
        buffers = dict(bn.named_buffers())
        hint = _("Use self.register_buffer('running_mean', torch.zeros(C)) and "
                 "self.register_buffer('running_var', torch.ones(C)): buffers are saved with the model and moved "
                 "by .to(device), but the optimizer does not train them.")
        for name, start in (("running_mean", torch.zeros(c)), ("running_var", torch.ones(c))):
            if name not in buffers:
                fail(_("{call} has no buffer named {name} (its buffers: {found}).").format(
                    call=call, name=name, found=sorted(buffers)), hint)
            if name not in bn.state_dict():
                fail(_("{call}.{name} is not saved in state_dict().").format(call=call, name=name), hint)
            assert_close(buffers[name], start, call=f"{call}.{name}", atol=0, hint=hint)


# ------------------------------------------------------------------------------------------ training
@pytest.mark.points(1)
def test_training_output_has_mean_0_and_variance_1(student):
    """Q39: in training each channel of the output has mean 0 and (biased) variance 1 before gamma and beta."""
    bn = student.BatchNorm2d(3)
    bn.train()
    x = bn_input(2, 3, 3, 3, seed=5)
    out = bn(x)
    call = f"BatchNorm2d(3)({shown('batch', (2, 3, 3, 3))})"
    out = out.detach()
    hint = _("In training each channel is normalised over the batch and both spatial dims, (0, 2, 3), with the "
             "biased variance, as nn.BatchNorm2d does. ") + FOLLOW_TRAINING

    ones, zeros = torch.ones(3), torch.zeros(3)
    assert_close(out.mean(dim=(0, 2, 3)), zeros, call=_("per-channel mean of {call}").format(call=call),
                 hint=hint, atol=1e-4)
    assert_close(out.var(dim=(0, 2, 3), unbiased=False), ones, atol=1e-3,
                 mistakes=[m.after(lambda out: out.var(dim=(0, 2, 3), unbiased=False)).on(x, ones, zeros, 1e-5)
                           for m in TRAINING],
                 call=_("per-channel variance of {call}").format(call=call), hint=hint)


@pytest.mark.points(3)
@settings(parent=randomized, max_examples=8)
@given(shape=shapes, eps=epss, momentum=momentums, seed=st.integers(0, 10_000))
def test_training_matches_batchnorm2d(student, shape, eps, momentum, seed):
    if shape[0] * shape[2] * shape[3] < 2:
        return
    call = describe(shape, eps, momentum)
    theirs, ref = make_pair(student, shape[1], eps, momentum, seed, call)
    theirs.train()
    for step in range(3):
        x = bn_input(*shape, seed=seed + 10 * step)
        grad_out = random_tensor(*shape, seed=seed + 10 * step + 3)
        compare_step(theirs, ref, x, grad_out, call + ", " + _("training step {k}").format(k=step + 1),
                     TRAIN_HINT + " " + FOLLOW_TRAINING,
                     lambda bn, x=x: TRAINING.on(x, *(queries.tensors(bn)[name] for name in ("weight", "bias")), eps))


@pytest.mark.points(2)
@settings(parent=randomized, max_examples=8)
@given(shape=shapes, eps=epss, momentum=momentums, seed=st.integers(0, 10_000))
def test_running_stats_match_batchnorm2d(student, shape, eps, momentum, seed):
    n = shape[0] * shape[2] * shape[3]
    if n < 2:
        return
    call = describe(shape, eps, momentum)
    theirs, ref = make_pair(student, shape[1], eps, momentum, seed, call)
    theirs.train()
    # the two classic mistakes, followed along to pick the hint (never shown as numbers)
    biased_var, inverted = torch.ones(shape[1]), (torch.zeros(shape[1]), torch.ones(shape[1]))
    for step in range(3):
        x = bn_input(*shape, seed=seed + 10 * step)
        theirs(x)  # in the student process, with gradients on: the mode comes from .train() alone
        with torch.no_grad():
            ref(x)
        batch_mean, batch_var = x.mean(dim=(0, 2, 3)), x.var(dim=(0, 2, 3), unbiased=False)
        biased_var = (1 - momentum) * biased_var + momentum * batch_var
        inverted = (momentum * inverted[0] + (1 - momentum) * batch_mean,
                    momentum * inverted[1] + (1 - momentum) * batch_var * n / (n - 1))
        where = call + ", " + _("after training step {k}").format(k=step + 1)
        got_mean = tensor_attr(theirs, "running_mean", call).detach()
        got_var = tensor_attr(theirs, "running_var", call).detach()
        assert_close(got_mean.reshape(ref.running_mean.shape) if got_mean.numel() == shape[1] else got_mean,
                     ref.running_mean, call=where + ": running_mean", hint=RUNNING_HINT,
                     mistakes=[MOMENTUM_INVERTED.on(inverted[0])])
        assert_close(got_var.reshape(ref.running_var.shape) if got_var.numel() == shape[1] else got_var,
                     ref.running_var, call=where + ": running_var", hint=RUNNING_HINT,
                     mistakes=[BIASED_RUNNING_VAR.on(biased_var), MOMENTUM_INVERTED.on(inverted[1])])


@pytest.mark.points(1)
def test_eps_inside_square_root(student):
    """Channels with a tiny variance (about 3e-7, below eps) show where eps goes."""
    call = "BatchNorm2d(3)({})".format(_("<batch of shape (4, 3, 6, 6) whose channels vary by about 0.001>"))
    x = random_tensor(1, 3, 1, 1, seed=3, low=-2.0, high=2.0) + 1e-3 * random_tensor(4, 3, 6, 6, seed=4)
    bn, ref = student.BatchNorm2d(3), nn.BatchNorm2d(3)
    bn.train()
    got = bn(x)
    with torch.no_grad():
        expected = ref(x)
    assert_close(got, expected, call=call, atol=1e-2, rtol=1e-2,
                 mistakes=known(EPS_OUTSIDE).on(x, ref.weight.detach(), ref.bias.detach(), 1e-5),
                 hint=TRAIN_HINT + " " + FOLLOW_TRAINING)


# ---------------------------------------------------------------------------------------- evaluation
@pytest.mark.points(2)
@settings(parent=randomized, max_examples=6)
@given(shape=shapes, eps=epss, seed=st.integers(0, 10_000))
def test_eval_matches_batchnorm2d(student, shape, eps, seed):
    c = shape[1]
    call = describe(shape, eps, 0.1) + ", " + _("in eval mode")
    theirs, ref = make_pair(student, c, eps, 0.1, seed, call)
    running_mean = random_tensor(c, seed=seed + 3, low=-2.0, high=2.0)
    running_var = random_tensor(c, seed=seed + 4, low=0.2, high=3.0)
    for module in (theirs, ref):
        set_tensor(module, "running_mean", running_mean, call)
        set_tensor(module, "running_var", running_var, call)
        module.eval()
    x, grad_out = bn_input(*shape, seed=seed), random_tensor(*shape, seed=seed + 5)

    def eval_mistakes(bn):
        """Batch statistics in eval mode, and whether the running ones moved too (then the layer did not
        follow self.training at all); both read after the forward pass that compare_step makes."""
        held = queries.tensors(bn)
        moved = not torch.equal(held["running_mean"].flatten(), running_mean)
        batch_stats = IGNORES_TRAINING if moved else EVAL_BATCH_STATS
        return known(batch_stats, EVAL_EPS_OUTSIDE).on(x, held["weight"], held["bias"], eps, running_mean, running_var)

    compare_step(theirs, ref, x, grad_out, call, EVAL_HINT + " " + FOLLOW_TRAINING, eval_mistakes)
    for name, value in (("running_mean", running_mean), ("running_var", running_var)):
        got = tensor_attr(theirs, name, call).detach()
        assert_close(got.reshape(value.shape) if got.numel() == c else got, value,
                     call=call + ": " + _("{name} after an eval-mode forward pass").format(name=name),
                     hint=_("In eval mode the running statistics are only read, never updated. ") + FOLLOW_TRAINING)


@pytest.mark.points(1.5)
def test_eval_output_independent_of_batch(student):
    """Q39: at validation time a sample's output may not depend on which other samples share its batch."""
    bn = student.BatchNorm2d(3)
    bn.eval()
    x = bn_input(4, 3, 3, 3, seed=11)
    others = x.clone()
    others[1:] = bn_input(3, 3, 3, 3, seed=12) * 3
    first, second = bn(x)[0], bn(others)[0]  # gradients stay on in the student process: eval() alone sets the mode
    assert_close(second, first, call=_("sample 0 of an eval-mode BatchNorm2d(3), with the rest of the batch "
                                       "replaced"), atol=1e-6, rtol=1e-6,
                 hint=_("In eval mode a prediction must not change with the other images that happen to share its "
                        "batch. ") + FOLLOW_TRAINING)


@pytest.mark.points(1)
def test_does_not_call_batch_norm(student):
    call = "BatchNorm2d(3)"
    with forbid("torch.nn.functional.batch_norm", "torch.batch_norm", "torch.native_batch_norm",
                "torch.nn.BatchNorm2d.forward", call=call,
                hint=_("Compute the mean and variance with tensor operations; nn.BatchNorm2d is only the "
                       "reference.")):
        bn = student.BatchNorm2d(3)
        bn.train()
        queries.backward(bn, (bn_input(2, 3, 4, 4, seed=1),), torch.ones(2, 3, 4, 4))
        bn.eval()
        bn(bn_input(2, 3, 4, 4, seed=2))


# ------------------------------------------------------------------------------------------- conv_bn
def find(model, kind_names):
    """The first submodule whose class is one of ``kind_names`` (a handle), or None."""
    found = next((m["name"] for m in queries.describe(model)["modules"] if m["type"] in kind_names), None)
    if found is None:
        return None
    return model.get_submodule(found) if found else model


@pytest.mark.points(1.5)
def test_conv_bn_is_conv_then_batchnorm_then_relu(student):
    for act in (True, False):
        call = f"conv_bn(3, 6, ks=3, act={act})"
        model = student.conv_bn(3, 6, ks=3, act=act)
        if not is_module(model):
            fail(_("{call} returned {kind}, expected an nn.Module.").format(call=call, kind=type_name(model)),
                 _("Build nn.Sequential(nn.Conv2d(...), BatchNorm2d(nf), nn.ReLU())."))
        model.train()
        conv = find(model, ("Conv2d",))
        bn = find(model, ("BatchNorm2d",))
        if conv is None or bn is None:
            fail(_("{call} should contain an nn.Conv2d and a BatchNorm2d.").format(call=call),
                 _("Build nn.Sequential(nn.Conv2d(...), BatchNorm2d(nf), nn.ReLU())."))
        x = random_tensor(4, 3, 8, 8, seed=21)
        got = model(x)
        expected = bn(conv(x))
        if act:
            expected = F.relu(expected)
        assert_close(got, expected, call=f"{call}({shown('batch', x.shape)})", atol=1e-5,
                     mistakes=[RELU_BEFORE_BN.on(lambda: bn(F.relu(conv(x))))] if act else None,
                     hint=_("The order is convolution, then batch norm, then ReLU (only when act=True)."))


@pytest.mark.points(0.5)
def test_conv_bn_halves_the_grid(student):
    for ni, nf, ks, size in [(1, 8, 5, 28), (8, 16, 3, 14), (4, 4, 3, 7)]:
        call = f"conv_bn({ni}, {nf}, ks={ks})({shown('batch', (2, ni, size, size))})"
        with torch.no_grad():
            expected = tuple(nn.Conv2d(ni, nf, ks, stride=2, padding=ks // 2)(torch.zeros(2, ni, size, size)).shape)
            got = student.conv_bn(ni, nf, ks=ks)(random_tensor(2, ni, size, size, seed=size))
        assert_equal(tuple(got.shape), expected, call=call, mistakes=known(CONV_BN_STRIDE_1).on(ni, nf, ks, size),
                     hint=_("Like the chapter's conv: nn.Conv2d(ni, nf, ks, stride=2, padding=ks//2), so each "
                            "block halves height and width (rounding up)."))


@pytest.mark.points(1)
def test_conv_bn_adds_2nf_parameters(student):
    for ni, nf, ks in [(1, 8, 5), (8, 16, 3), (3, 4, 1)]:
        plain = sum(p.numel() for p in nn.Conv2d(ni, nf, ks, stride=2, padding=ks // 2).parameters())
        got = sum(math.prod(p["shape"]) for p in queries.describe(student.conv_bn(ni, nf, ks=ks))["parameters"]
                  if p["requires_grad"])
        assert_equal(got, plain + 2 * nf, call=f"trainable parameters of conv_bn({ni}, {nf}, ks={ks})",
                     hint=_("Batch norm adds exactly 2*nf trainable numbers to the plain convolution (with its "
                            "bias): gamma and beta, one each per output channel."))
