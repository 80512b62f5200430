"""Checks for norms.py: LayerNorm, GroupNorm and InstanceNorm2d against torch's layers (outputs and
gradients, training and eval mode), their trainable parameters, where eps goes, and no library calls.

Student objects are reached only through calls and ``grader.queries`` (the student may run elsewhere).
"""
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from grader import queries
from grader.i18n import _
from grader.testing import assert_close, assert_equal, fail, forbid, random_tensor, randomized

BIASED_HINT = _("Use the biased variance, x.var(..., unbiased=False) (divide by the number of values), as torch's "
                "normalization layers do.")
HINTS = {
    "LayerNorm": _("Layer norm takes one mean and one variance per sample, over all of (C, H, W): reduce over "
                   "dims (1, 2, 3), then multiply by weight and add bias, both of shape (C, H, W). ") + BIASED_HINT,
    "GroupNorm": _("Group norm splits the channels into num_groups groups of consecutive channels: view x as "
                   "(N, num_groups, C // num_groups, H, W) (not (N, C // num_groups, num_groups, ...)), reduce over "
                   "dims (2, 3, 4), view back, then apply weight and bias per channel. ") + BIASED_HINT,
    "InstanceNorm2d": _("Instance norm takes one mean and variance per sample and channel, over (H, W) only: reduce "
                        "over dims (2, 3), not over the batch (that is batch norm). ") + BIASED_HINT,
}
GRAD_HINT = _("Build the output from differentiable torch operations on x, weight and bias (no .detach(), no "
              "torch.no_grad()) so autograd gives the same gradients as torch's layer.")
EVAL_HINT = _("These layers never look at other samples, so eval mode computes exactly what training mode does: "
              "no running statistics, no branch on self.training.")

shapes = st.tuples(st.integers(1, 3), st.sampled_from([2, 4, 6]), st.integers(1, 4), st.integers(1, 4))
epss = st.sampled_from([1e-5, 1e-3])


def norm_input(n, c, h, w, seed):
    """Random NCHW values with a different scale and offset per channel."""
    scale = random_tensor(1, c, 1, 1, seed=seed + 7, low=0.5, high=3.0)
    shift = random_tensor(1, c, 1, 1, seed=seed + 8, low=-2.0, high=2.0)
    return random_tensor(n, c, h, w, seed=seed) * scale + shift


def pair(student, kind, shape, eps, seed):
    """(student's layer, torch's layer, call text) with the same random weight and bias."""
    n, c, h, w = shape
    if kind == "LayerNorm":
        theirs, ref = student.LayerNorm((c, h, w), eps=eps), nn.LayerNorm((c, h, w), eps=eps)
        call = f"LayerNorm(({c}, {h}, {w}), eps={eps:g})"
    elif kind == "GroupNorm":
        groups = 2 if c // 2 * h * w >= 2 else 1  # torch refuses a group of one value
        theirs, ref = student.GroupNorm(groups, c, eps=eps), nn.GroupNorm(groups, c, eps=eps)
        call = f"GroupNorm({groups}, {c}, eps={eps:g})"
    else:
        theirs = student.InstanceNorm2d(c, eps=eps)
        ref = nn.InstanceNorm2d(c, eps=eps, affine=True, track_running_stats=False)
        call = f"InstanceNorm2d({c}, eps={eps:g})"
    values = {"weight": random_tensor(*ref.weight.shape, seed=seed + 1, low=0.5, high=1.5),
              "bias": random_tensor(*ref.bias.shape, seed=seed + 2)}
    queries.set_tensors(theirs, values)
    queries.set_tensors(ref, values)
    return theirs, ref, call + " " + _("on a {shape} batch").format(shape=tuple(shape))


def compare(theirs, ref, x, grad_out, call, hint):
    got_out, got_in, got_params = queries.backward(theirs, (x,), grad_out)
    out, grad_in, ref_params = queries.backward(ref, (x,), grad_out)
    assert_close(got_out, out, call=call + ": " + _("output"), hint=hint, atol=1e-4, rtol=1e-4)
    if got_in is None or got_in[0] is None:
        fail(_("{call}: the output does not depend on the input through autograd.").format(call=call), GRAD_HINT)
    assert_close(got_in[0], grad_in[0], call=call + ": " + _("gradient of the input"), hint=GRAD_HINT,
                 atol=1e-4, rtol=1e-4)
    for name in ("weight", "bias"):
        grad = got_params.get(name)
        if grad is None:
            fail(_("{call}: after backward() {name}.grad is None.").format(call=call, name=name),
                 _("weight and bias are trainable: make them nn.Parameter and use them in the output."))
        assert_close(grad.reshape(ref_params[name].shape) if grad.numel() == ref_params[name].numel() else grad,
                     ref_params[name], call=call + ": " + _("gradient of {name}").format(name=name),
                     hint=hint, atol=1e-4, rtol=1e-4)


def check_matches(student, kind, shape, eps, seed, mode):
    theirs, ref, call = pair(student, kind, shape, eps, seed)
    for module in (theirs, ref):
        module.train(mode == "train")
    where = call + (", " + _("in eval mode") if mode == "eval" else "")
    for step in range(2):  # a second batch: nothing may carry over from the first
        x = norm_input(*shape, seed=seed + 10 * step)
        compare(theirs, ref, x, random_tensor(*shape, seed=seed + 10 * step + 3),
                where + ", " + _("batch {k}").format(k=step + 1), HINTS[kind] if mode == "train" else EVAL_HINT)


# ------------------------------------------------------------------------------------- parameters
PARAMETER_CASES = [("LayerNorm", lambda s: s.LayerNorm((3, 4, 5)), "LayerNorm((3, 4, 5))", (3, 4, 5)),
                   ("GroupNorm", lambda s: s.GroupNorm(2, 6), "GroupNorm(2, 6)", (6,)),
                   ("InstanceNorm2d", lambda s: s.InstanceNorm2d(5), "InstanceNorm2d(5)", (5,))]


@pytest.mark.points(1.5)
def test_weight_and_bias_are_trainable_parameters(student):
    for kind, build, call, shape in PARAMETER_CASES:
        layer = build(student)
        info = queries.describe(layer)
        params = {p["name"]: p for p in info["parameters"]}
        assert_equal(sorted(params), ["bias", "weight"], call=call + ".named_parameters()",
                     hint=_("The only trainable parameters are weight (the scale) and bias (the shift): make exactly "
                            "these two nn.Parameter."))
        hint = (_("Layer norm scales every value: weight and bias have the full normalized shape (C, H, W).")
                if kind == "LayerNorm" else _("weight and bias have one number per channel, shape (C,)."))
        for name, start in (("weight", torch.ones(shape)), ("bias", torch.zeros(shape))):
            assert_equal(params[name]["shape"], shape, call=f"{call}.{name}.shape", hint=hint)
            assert_equal(params[name]["requires_grad"], True, call=f"{call}.{name}.requires_grad", hint=hint)
            assert_close(queries.tensors(layer)[name], start, call=f"{call}.{name}", atol=0,
                         hint=_("weight starts as ones and bias as zeros, so a new layer only normalises."))
        if info["buffers"]:
            fail(_("{call} has buffers {names}: these layers keep no running statistics.").format(
                call=call, names=[b["name"] for b in info["buffers"]]), EVAL_HINT)


# --------------------------------------------------------------------------------- against torch
@pytest.mark.points(2)
@settings(parent=randomized, max_examples=8)
@given(shape=shapes, eps=epss, seed=st.integers(0, 10_000))
def test_layer_norm_matches_torch(student, shape, eps, seed):
    check_matches(student, "LayerNorm", shape, eps, seed, "train")


@pytest.mark.points(2)
@settings(parent=randomized, max_examples=8)
@given(shape=shapes, eps=epss, seed=st.integers(0, 10_000))
def test_group_norm_matches_torch(student, shape, eps, seed):
    check_matches(student, "GroupNorm", shape, eps, seed, "train")


@pytest.mark.points(2)
@settings(parent=randomized, max_examples=8)
@given(shape=shapes, eps=epss, seed=st.integers(0, 10_000))
def test_instance_norm_matches_torch(student, shape, eps, seed):
    if shape[2] * shape[3] < 2:
        return  # one value per channel: torch's instance norm gives 0 there too, nothing to learn
    check_matches(student, "InstanceNorm2d", shape, eps, seed, "train")


@pytest.mark.points(1.5)
def test_eval_mode_matches_torch(student):
    for kind in HINTS:
        check_matches(student, kind, (3, 4, 3, 3), 1e-5, 40, "eval")


@pytest.mark.points(1)
def test_sample_independent_of_batch(student):
    """Unlike batch norm, a sample's output does not depend on the other samples in the batch."""
    x = norm_input(4, 4, 3, 3, seed=11)
    others = x.clone()
    others[1:] = norm_input(3, 4, 3, 3, seed=12) * 3
    for kind, build in (("LayerNorm", lambda: student.LayerNorm((4, 3, 3))),
                        ("GroupNorm", lambda: student.GroupNorm(2, 4)),
                        ("InstanceNorm2d", lambda: student.InstanceNorm2d(4))):
        layer = build()
        layer.train()
        with torch.no_grad():
            first, second = layer(x)[0], layer(others)[0]
        assert_close(second, first, call=_("sample 0 of {kind} in training mode, with the rest of the batch "
                                           "replaced").format(kind=kind), atol=1e-5, rtol=1e-5,
                     hint=_("Statistics over dim 0 mix the samples (that is batch norm); these layers reduce "
                            "within each sample only.") + " " + HINTS[kind])


@pytest.mark.points(1)
def test_eps_inside_square_root(student):
    """Samples whose values barely vary (variance about 3e-7, below eps) show where eps goes."""
    x = random_tensor(1, 4, 1, 1, seed=3, low=-2.0, high=2.0) + 1e-3 * random_tensor(2, 4, 5, 5, seed=4)
    for kind in HINTS:
        theirs, ref, call = pair(student, kind, (2, 4, 5, 5), 1e-5, 0)
        with torch.no_grad():
            got, expected = theirs(x), ref(x)
        assert_close(got, expected, call=call + " " + _("(values that vary by about 0.001)"), atol=1e-2, rtol=1e-2,
                     hint=_("eps belongs inside the square root, (x - mean) / sqrt(var + eps): it keeps the division "
                            "safe when the values barely vary. sqrt(var) + eps is far too small a divisor then."))


@pytest.mark.points(1)
def test_does_not_call_library_normalization(student):
    with forbid("torch.nn.functional.layer_norm", "torch.nn.functional.group_norm",
                "torch.nn.functional.instance_norm", "torch.nn.functional.batch_norm", "torch.layer_norm",
                "torch.group_norm", "torch.instance_norm", "torch.batch_norm", "torch.native_layer_norm",
                "torch.native_group_norm", "torch.native_batch_norm",
                call="LayerNorm / GroupNorm / InstanceNorm2d",
                hint=_("Compute the mean and variance with tensor operations; torch's layers are only the "
                       "reference.")):
        for layer in (student.LayerNorm((4, 3, 3)), student.GroupNorm(2, 4), student.InstanceNorm2d(4)):
            for mode in ("train", "eval"):
                layer.train(mode == "train")
                queries.backward(layer, (norm_input(2, 4, 3, 3, seed=1),), random_tensor(2, 4, 3, 3, seed=2))
