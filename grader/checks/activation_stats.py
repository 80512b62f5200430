"""Checks for activation_stats.py: layer_stats, the ActivationStats hooks and color_dim.

References: torch's own mean/std/comparison for layer_stats, activations computed by running the layers
of a small model by hand for the hooks, and ``torch.histc`` for color_dim.
"""
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from grader import queries
from grader.i18n import _
from grader.mistakes import Mistake, explaining, known
from grader.runner.proxy import send
from grader.testing import (assert_close, assert_equal, assert_float, expect_tensor, fail, random_tensor, randomized,
                            shown)

NEAR_ZERO_HINT = _("near_zero is the fraction (not the count) of ALL values that are <= 0.05, as fastai counts it: "
                   "negative values and values up to and including 0.05 count, not only exact zeros.")
LAYERS_HINT = _("Watch every module that has no children and has parameters of its own, in model.modules() order: "
                "convolutions, linear layers and batch norms; not ReLU or Flatten (no parameters) and not "
                "nn.Sequential (it has children).")
NEAR_ZERO = known(
    Mistake("activation_stats", "near_zero_count", _("near_zero is the number of values <= 0.05 instead of their "
                                                     "fraction"),
            lambda acts: (acts <= 0.05).sum().item(), _("Divide by the number of values: .float().mean().")),
    Mistake("activation_stats", "near_zero_exact_zero", _("only exact zeros are counted"),
            lambda acts: (acts == 0).float().mean().item(), _("Count every value <= 0.05.")),
    Mistake("activation_stats", "near_zero_negative_only", _("only negative values are counted"),
            lambda acts: (acts < 0).float().mean().item(), _("Count every value <= 0.05, zeros and small positives "
                                                            "included.")))
HOOKS_LEFT = Mistake("activation_stats", "hooks_not_removed", _("the hooks are not removed on exit"),
                     fix=_("Keep the handle that register_forward_hook returns and call handle.remove() on each in "
                           "__exit__."))
WATCHED = known(
    Mistake("activation_stats", "hooks_on_non_leaf_modules", _("modules with children (nn.Sequential, the model "
                                                               "itself) are watched too"),
            lambda model: len([m for m in model.modules() if any(True for _p in m.parameters())]),
            _("Watch only modules with no children.")),
    Mistake("activation_stats", "hooks_on_parameterless_leaves", _("leaf modules without parameters (ReLU, Flatten) "
                                                                   "are watched too"),
            lambda model: len([m for m in model.modules() if not any(True for _c in m.children())]),
            _("Watch only modules that have parameters of their own.")))


def histograms(acts_per_batch, *, bins=40, low=0, high=10, dim=1, log=True, flip=False, value=lambda a: a):
    stacked = torch.stack([torch.histc(value(a.float()), bins=bins, min=low, max=high) for a in acts_per_batch], dim)
    stacked = stacked.log1p() if log else stacked
    return stacked.flip(0) if flip else stacked


def color_dim_mistake(id_, when, fix, **how):
    return Mistake("activation_stats", id_, when, lambda acts: histograms(acts, **how), fix)


COLOR_DIM = known(
    color_dim_mistake("color_dim_batches_as_rows", _("the histograms are stacked as rows (dim=0)"),
                      _("Stack them as columns, dim=1: shape (40, n_batches)."), dim=0),
    color_dim_mistake("color_dim_flipped", _("the matrix is upside down (row 0 holds the largest activations)"),
                      _("Keep histc's order; plt.imshow(..., origin='lower') draws row 0 at the bottom."), flip=True),
    color_dim_mistake("color_dim_no_log1p", _("the raw counts are returned, without log1p"),
                      _("Apply log1p to the stacked histograms."), log=False),
    color_dim_mistake("histc_20_bins", _("the histogram has 20 bins"), _("Use bins=40."), bins=20),
    color_dim_mistake("histc_range_0_1", _("the histogram covers [0, 1] instead of [0, 10]"),
                      _("Use min=0, max=10."), high=1),
    color_dim_mistake("abs_before_histc", _("abs() is taken before the histogram, so negative activations are "
                                            "counted"),
                      _("Values outside [0, 10] are left out by histc; pass the activations as they are."),
                      value=torch.abs))
HISTC_HINT = _("Each column is torch.histc(acts.float(), bins=40, min=0, max=10) of one batch; stack the columns "
               "with dim=1 (shape (40, n_batches)) and apply log1p to the whole matrix.")



def stat_dict(got, call):
    if not isinstance(got, dict) or not {"mean", "std", "near_zero"} <= set(got):
        fail(_("{call} returned {got}, expected a dict with the keys 'mean', 'std' and 'near_zero'.").format(
            call=call, got=type(got).__name__ if not isinstance(got, dict) else sorted(got)),
            _("Return {'mean': ..., 'std': ..., 'near_zero': ...} with Python floats (use .item())."))
    return got


# ---------------------------------------------------------------------------------------- layer_stats
stat_shapes = st.sampled_from([(300,), (4, 8, 10), (2, 3, 8, 8), (16, 64), (5, 4, 4, 4)])


@pytest.mark.points(1)
@settings(parent=randomized, max_examples=8)
@given(shape=stat_shapes, scale=st.sampled_from([0.1, 1.0, 5.0]), shift=st.sampled_from([-1.0, 0.0, 2.0]),
       seed=st.integers(0, 10_000))
def test_layer_stats_mean_and_std(student, shape, scale, shift, seed):
    acts = random_tensor(*shape, seed=seed) * scale + shift
    call = f"layer_stats({shown('tensor', shape)})"
    got = stat_dict(student.layer_stats(acts), call)
    assert_float(got["mean"], acts.mean().item(), call=call + "['mean']", rel=1e-5, abs_=1e-6,
                 hint=_("The mean of all values of the tensor, whatever its shape."))
    # 2e-3 accepts both the unbiased (torch's default, as fastai) and the biased standard deviation here
    assert_float(got["std"], acts.std().item(), call=call + "['std']", rel=2e-3, abs_=1e-6,
                 hint=_("The standard deviation of all values of the tensor (acts.std()), not per row or column."))


@pytest.mark.points(1.5)
@settings(parent=randomized, max_examples=10)
@given(shape=stat_shapes, relu=st.booleans(), seed=st.integers(0, 10_000))
def test_near_zero_is_fraction_at_most_0_05(student, shape, relu, seed):
    # multiples of 0.05 from -0.5 to 0.5: exact zeros, exact 0.05s, small positives and negatives
    acts = (random_tensor(*shape, seed=seed) * 10).round() / 20
    if relu:
        acts = acts.relu()
    described = (_("<tensor of shape {shape}: multiples of 0.05, after ReLU>") if relu else
                 _("<tensor of shape {shape}: multiples of 0.05>")).format(shape=shape)
    call = f"layer_stats({described})"
    got = stat_dict(student.layer_stats(acts), call)
    assert_float(got["near_zero"], (acts <= 0.05).float().mean().item(), call=call + "['near_zero']",
                 rel=1e-6, abs_=1e-7, hint=NEAR_ZERO_HINT, mistakes=NEAR_ZERO.on(acts))


@pytest.mark.points(0.5)
def test_relu_of_normal_near_zero_about_0_52(student):
    """The catalogue's textbook number: half of ReLU(N(0,1)) is 0, and P(0 < z <= 0.05) is about 0.02."""
    acts = torch.randn(50_000, generator=torch.Generator().manual_seed(0)).relu()
    call = "layer_stats(relu(randn(50000)))['near_zero']"
    got = stat_dict(student.layer_stats(acts), call)["near_zero"]
    try:
        value = float(got)
    except (TypeError, ValueError, RuntimeError):
        value = None
    if value is None or abs(value - 0.52) > 0.01:
        fail(_("{call} returned {got}, expected about 0.52.").format(call=call, got=got), NEAR_ZERO_HINT,
             explaining(value, (acts <= 0.05).float().mean().item(), NEAR_ZERO.on(acts),
                        lambda a, b: a is not None and abs(a - b) <= 1e-4))


# -------------------------------------------------------------------------------------------- hooks
def small_model():
    """conv -> ReLU -> [conv -> BatchNorm -> ReLU] -> Flatten -> Linear, for (N, 1, 8, 8) inputs."""
    generator_state = torch.random.get_rng_state()
    torch.manual_seed(13)
    conv1 = nn.Conv2d(1, 4, 3, stride=2, padding=1)
    block = nn.Sequential(nn.Conv2d(4, 8, 3, stride=2, padding=1), nn.BatchNorm2d(8), nn.ReLU())
    head = nn.Linear(32, 3)
    torch.random.set_rng_state(generator_state)
    model = nn.Sequential(conv1, nn.ReLU(), block, nn.Flatten(), head)
    names = ["0 Conv2d", "2.0 Conv2d", "2.1 BatchNorm2d", "4 Linear"]

    def by_hand(x):
        """The outputs of the four watched layers, computed with functional ops (no module call, so no hook)."""
        conv2, bn = block[0], block[1]
        with torch.no_grad():
            a1 = F.conv2d(x, conv1.weight, conv1.bias, stride=2, padding=1)
            a2 = F.conv2d(a1.relu(), conv2.weight, conv2.bias, stride=2, padding=1)
            a3 = F.batch_norm(a2, None, None, bn.weight, bn.bias, training=True, eps=bn.eps)
            a4 = F.linear(a3.relu().flatten(1), head.weight, head.bias)
        return [a1, a2, a3, a4]

    return model, names, by_hand


def watched_model():
    """The small model in the student process (a handle) and its twin here, which by_hand reads."""
    model, names, by_hand = small_model()
    return send(model), model, names, by_hand


def watch(student, model, batches, call, step=None):
    """Run ``batches`` through ``model`` inside ``with ActivationStats(model) as s``; return s."""
    with student.ActivationStats(model) as entered:
        if entered is None or not hasattr(entered, "stats"):
            fail(_("`with ActivationStats(model) as s` gave s = {got}, expected the ActivationStats object.").format(
                got=type(entered).__name__), _("__enter__ must return self."))
        for xb in batches:
            if step is None:
                model(xb)
            else:
                step(xb)
    return entered


def check_records(student, stats, names, expected_acts_per_batch, call, twin):
    """stats[i][b] must equal the student's own layer_stats of layer i's output for batch b (``twin``: the
    watched model's copy here)."""
    if not isinstance(stats, (list, tuple)):
        fail(_("{call}.stats is {got}, expected a list with one list of dicts per watched layer.").format(
            call=call, got=type(stats).__name__), LAYERS_HINT)
    assert_equal(len(stats), len(names), call=f"len({call}.stats)", hint=LAYERS_HINT, mistakes=WATCHED.on(twin))
    n_batches = len(expected_acts_per_batch)
    for i, name in enumerate(names):
        assert_equal(len(stats[i]), n_batches, call=f"len({call}.stats[{i}])",
                     hint=_("Record one dict per forward pass: append layer_stats(output) in the hook, each time "
                            "the layer runs."))
        for b, acts in enumerate(expected_acts_per_batch):
            expected = stat_dict(student.layer_stats(acts[i]), "layer_stats")
            record = stat_dict(stats[i][b], f"{call}.stats[{i}][{b}]")
            for key in ("mean", "std", "near_zero"):
                assert_float(record[key], float(expected[key]), call=f"{call}.stats[{i}][{b}]['{key}']",
                             rel=1e-4, abs_=1e-6,
                             hint=_("stats[{i}] belongs to layer {name} of the model: record layer_stats of that "
                                    "layer's output (the hook's third argument).").format(i=i, name=name) + " "
                             + LAYERS_HINT)


@pytest.mark.points(1.5)
def test_hooks_on_leaf_modules_with_parameters(student):
    model, twin, names, by_hand = watched_model()
    x = random_tensor(4, 1, 8, 8, seed=3)
    stats = watch(student, model, [x], "ActivationStats(model)")
    check_records(student, stats.stats, names, [by_hand(x)], "ActivationStats(model)", twin)


@pytest.mark.points(1)
def test_one_record_per_batch(student, outcome):
    """Six batches of a small model that trains (plain SGD in the student process, its weights copied back
    to the twin here after each step); recorded for the report's plots."""
    model, twin, names, by_hand = watched_model()
    batches = [random_tensor(n, 1, 8, 8, seed=10 + n) for n in (2, 5, 3, 4, 2, 6)]
    expected = []

    def train_step(xb):
        expected.append(by_hand(xb))
        queries.sgd_step(model, xb, torch.arange(len(xb)) % 3, 0.5)
        twin.load_state_dict(queries.tensors(model))

    stats = watch(student, model, batches, "ActivationStats(model)", step=train_step)
    try:
        outcome.metric(layer_names=names, **{
            f"layer_{key}": [[round(float(record[key]), 5) for record in layer] for layer in stats.stats]
            for key in ("mean", "std", "near_zero")})
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, RuntimeError):
        pass  # nothing plottable; the check below says why
    check_records(student, stats.stats, names, expected, "ActivationStats(model)", twin)


class _Interrupted(Exception):
    pass


def hook_count(model):
    return sum(m["forward_hooks"] for m in queries.describe(model)["modules"])


@pytest.mark.points(1)
def test_hooks_removed_on_exit(student):
    model, _twin, _names, _by_hand = watched_model()
    x = random_tensor(2, 1, 8, 8, seed=4)
    hint = _("After the with block no hook of ActivationStats may be left on the model.")
    stats = watch(student, model, [x], "ActivationStats(model)")
    left = hook_count(model)
    if left:
        fail(_("After the with block, {n} forward hooks are still registered on the model.").format(n=left), hint,
             HOOKS_LEFT)
    lengths = [len(layer) for layer in stats.stats]
    model(x)
    if [len(layer) for layer in stats.stats] != lengths:
        fail(_("A forward pass after the with block still added records to stats."), hint, HOOKS_LEFT)
    try:
        with student.ActivationStats(model):
            model(x)
            raise _Interrupted
    except _Interrupted:
        pass
    left = hook_count(model)
    if left:
        fail(_("After a with block left by an exception, {n} forward hooks are still registered on the model.")
             .format(n=left), hint, HOOKS_LEFT)


# ---------------------------------------------------------------------------------------- color_dim
def reference_color_dim(acts_per_batch):
    return torch.stack([torch.histc(a.float(), bins=40, min=0, max=10) for a in acts_per_batch], dim=1).log1p()


@pytest.mark.points(1.5)
@settings(parent=randomized, max_examples=8)
@given(sizes=st.lists(st.integers(1, 200), min_size=1, max_size=5), seed=st.integers(0, 10_000))
def test_color_dim_matches_histc(student, sizes, seed):
    # values from -2 to 12: the ones outside [0, 10] must not be counted
    acts = [random_tensor(n, seed=seed + i, low=-2.0, high=12.0) for i, n in enumerate(sizes)]
    call = "color_dim({})".format(_("<{n} batches of {sizes} values>").format(n=len(sizes), sizes=sizes))
    got, expected = expect_tensor(student.color_dim(acts), call=call), reference_color_dim(acts)
    assert_close(got, expected, call=call, hint=HISTC_HINT, mistakes=COLOR_DIM.on(acts))


@pytest.mark.points(1)
def test_color_dim_row_0_is_smallest(student):
    hint = _("Row 0 holds the smallest activations, [0, 0.25), and row 39 the largest, [9.75, 10]: keep histc's "
             "order and do not flip the matrix (plt.imshow(..., origin='lower') draws row 0 at the bottom).")
    for low, high, row in [(0.01, 0.24, 0), (9.76, 9.99, 39)]:
        acts = [random_tensor(100, seed=row, low=low, high=high)]
        call = "color_dim([{}])".format(_("<100 values between {low} and {high}>").format(low=low, high=high))
        got = expect_tensor(student.color_dim(acts), call=call)
        assert_equal(tuple(got.shape), (40, 1), call=call + ".shape", hint=HISTC_HINT)
        assert_equal(int(got[:, 0].argmax()), row, call=_("the row of the largest entry of {call}").format(call=call),
                     hint=hint)


@pytest.mark.points(1)
def test_color_dim_batches_left_to_right(student, outcome):
    """Eight batches whose activations grow batch by batch (recorded for the report's plot)."""
    generator = torch.Generator().manual_seed(7)
    acts = [(torch.randn(300, generator=generator) * 0.4 + 1 + j).clamp(min=0) for j in range(8)]
    expected = reference_color_dim(acts)
    outcome.metric(reference_color_dim=[[round(v, 4) for v in row] for row in expected.tolist()])
    call = "color_dim({})".format(_("<8 batches, each with larger activations than the one before>"))
    got = expect_tensor(student.color_dim(acts), call=call)
    try:
        outcome.metric(color_dim=[[round(float(v), 4) for v in row] for row in got.detach().tolist()])
    except (TypeError, ValueError):
        pass
    assert_equal(tuple(got.shape), (40, 8), call=call + ".shape", hint=HISTC_HINT)
    assert_equal(got.argmax(dim=0).tolist(), expected.argmax(dim=0).tolist(),
                 call=_("the row of the largest entry in each column of {call}").format(call=call),
                 hint=_("Column j is the histogram of batch j: stack the columns in batch order with dim=1, so time "
                        "runs from left to right."))
