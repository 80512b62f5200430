"""Checks for one_cycle.py: the 1cycle learning rate and momentum, and the OneCycle scheduler.

The reference is PyTorch's ``OneCycleLR`` with ``max_lr=lr_max, div_factor=div,
final_div_factor=div_final/div, max_momentum=moms[0], base_momentum=moms[1], anneal_strategy='cos'``.
"""
import collections
import functools
import math
import warnings

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.optim.lr_scheduler import OneCycleLR

from grader.i18n import _
from grader.mistakes import Mistake, explaining, known
from grader.runner.proxy import send
from grader.testing import assert_float, fail, forbid, randomized

STEP0_HINT = _("Step 0 is the start of the warm-up and holds lr_max / div; count steps from 0.")
PEAK_HINT = _("The warm-up ends on step pct_start*total_steps - 1 (steps count from 0), which holds exactly lr_max; "
              "the annealing starts there. During the warm-up pct = step / (pct_start*total_steps - 1).")
FINAL_HINT = _("The last step, total_steps - 1, holds lr_max / div_final.")
COSINE_HINT = _("Between its ends each phase follows a cosine, end + (start - end) / 2 * (cos(pi*pct) + 1).")
LR_HINT = _("Warm-up: cosine from lr_max/div to lr_max, reached on step pct_start*total_steps - 1; then cosine down "
            "to lr_max/div_final on step total_steps - 1.")
MOM_HINT = _("Cyclical momentum moves opposite to the learning rate: moms[0] while the learning rate is low at the "
             "start, down to moms[1] at the learning-rate peak (step pct_start*total_steps - 1), back up to moms[2] "
             "on the last step, with the same cosine.")
SCHED_HINT = _("After k calls to .step() every param group must hold the step-k values of one_cycle_lr and "
               "one_cycle_momentum: increase the step counter, then write group['lr'] and the momentum.")


def cos_anneal(start, end, pct):
    return end + (start - end) / 2 * (math.cos(math.pi * pct) + 1)


def linear(start, end, pct):
    return start + (end - start) * pct


def two_phases(step, total, low, high, final, pct_start, *, anneal=cos_anneal, warmup_end=None):
    """low -> high during the warm-up (ending on step ``warmup_end``), then high -> final on step total - 1."""
    warmup_end = pct_start * total - 1 if warmup_end is None else warmup_end
    if step <= warmup_end:
        return anneal(low, high, step / warmup_end)
    return anneal(high, final, (step - warmup_end) / (total - 1 - warmup_end))


def over_total_steps(step, total, low, high, final, pct_start):
    """fastai's older form: position = step / total_steps, so the last step never reaches the phase's end."""
    position = step / total
    if position < pct_start:
        return cos_anneal(low, high, position / pct_start)
    return cos_anneal(high, final, (position - pct_start) / (1 - pct_start))


def lr_mistake(id_, when, fix, **how):
    def wrong(step, total, lr_max, pct_start=0.25, div=25.0, div_final=1e5):
        final = lr_max / div / div_final if how.get("final_of_start") else lr_max / div_final
        if how.get("over_total"):
            return over_total_steps(step, total, lr_max / div, lr_max, final, pct_start)
        return two_phases(step, total, lr_max / div, lr_max, final, pct_start, anneal=how.get("anneal", cos_anneal),
                          warmup_end=pct_start * total if how.get("late_peak") else None)
    return Mistake("one_cycle", id_, when, wrong, fix)


LR_MISTAKES = known(
    lr_mistake("div_final_of_start", _("div_final divides the starting value, lr_max / div / div_final"),
               _("div_final divides lr_max itself (that is why PyTorch's final_div_factor is div_final / div)."),
               final_of_start=True),
    lr_mistake("linear_anneal", _("the phases are linear instead of cosine"),
               _("Each phase follows end + (start - end) / 2 * (cos(pi*pct) + 1)."), anneal=linear),
    lr_mistake("warmup_off_by_one", _("the warm-up ends on step pct_start*total_steps instead of "
                                      "pct_start*total_steps - 1"),
               _("Steps count from 0: the peak is on step pct_start*total_steps - 1."), late_peak=True),
    lr_mistake("position_over_total_steps", _("the position in the schedule is step / total_steps"),
               _("The last step is total_steps - 1: measure each phase from its first to its last step, "
                 "pct = step / (pct_start*total_steps - 1) in the warm-up."), over_total=True))
MOMENTUM_WITH_LR = Mistake("one_cycle", "momentum_with_lr", _("the momentum moves with the learning rate instead of "
                                                              "opposite to it"),
                           lambda step, total, pct_start=0.25, moms=(0.95, 0.85, 0.95):
                           two_phases(step, total, moms[1], moms[0], moms[1], pct_start),
                           _("Momentum is high (moms[0]) while the learning rate is low, and low (moms[1]) at its "
                             "peak."))
MOM_MISTAKES = known(MOMENTUM_WITH_LR)
NOT_SET_ON_CONSTRUCTION = Mistake("one_cycle", "no_initial_step", _("the constructor leaves the optimizer's own "
                                                                    "values in place"),
                                  lambda original: original,
                                  _("The constructor must already write the step-0 learning rate (lr_max/div) and "
                                    "momentum (moms[0]) into every param group."))
LAGS_ONE_STEP = Mistake("one_cycle", "scheduler_lags_one_step", _("step() writes the values of the step before"),
                        lambda previous: previous,
                        _("Increase the step counter first, then write the values of the new step."))
BETAS_IGNORED = Mistake("one_cycle", "adam_betas_ignored", _("Adam's betas[0] is never changed"),
                        lambda original: original,
                        _("Adam has no 'momentum' entry: its momentum is betas[0]. Replace the tuple, "
                          "group['betas'] = (mom, group['betas'][1])."))


# Schedules whose warm-up has at least 2 steps (PyTorch divides by pct_start*total_steps - 1).
totals = st.integers(10, 120)
pct_starts = st.sampled_from([0.2, 0.25, 0.3, 0.4, 0.5, 0.75])
lr_maxes = st.sampled_from([1e-3, 3e-3, 0.01, 0.06, 0.1, 0.5, 2.0])
divs = st.sampled_from([5.0, 10.0, 25.0, 100.0])
div_finals = st.sampled_from([1e3, 1e4, 1e5, 1e6])


def make_optimizer(kind="sgd", groups=1):
    """A real ``torch.optim.SGD`` (momentum 0.5) or ``Adam`` (betas (0.7, 0.99)) with ``groups`` param groups.

    Built without ``Optimizer.__init__``: its first call in a process imports ``torch._dynamo`` (about a
    second), more than this whole exercise's checks may take. A scheduler only sees what is set here:
    ``param_groups`` (with the optimizer's defaults filled in), ``defaults`` and ``state``.
    """
    cls = torch.optim.Adam if kind == "adam" else torch.optim.SGD
    common = {"lr": 0.5, "weight_decay": 0.0, "maximize": False, "foreach": None, "differentiable": False,
              "fused": None}
    if kind == "adam":
        defaults = {**common, "betas": (0.7, 0.99), "eps": 1e-8, "amsgrad": False, "capturable": False,
                    "decoupled_weight_decay": False}
    else:
        defaults = {**common, "momentum": 0.5, "dampening": 0.0, "nesterov": False}
    opt = cls.__new__(cls)
    opt.defaults = defaults
    opt.state = collections.defaultdict(dict)
    opt.param_groups = [{"params": [torch.nn.Parameter(torch.zeros(2))], **defaults} for _index in range(groups)]
    opt._optimizer_step_pre_hooks = collections.OrderedDict()
    opt._optimizer_step_post_hooks = collections.OrderedDict()
    return opt


def group_momentum(group):
    return group["betas"][0] if "betas" in group else group["momentum"]


@functools.lru_cache(maxsize=256)
def reference(total_steps, lr_max, pct_start=0.25, div=25.0, div_final=1e5, moms=(0.95, 0.85, 0.95), kind="sgd"):
    """(learning rates, momentums) of OneCycleLR for steps 0 .. total_steps-1, plus the final param group."""
    opt = make_optimizer(kind)
    sched = OneCycleLR(opt, max_lr=lr_max, total_steps=total_steps, pct_start=float(pct_start), div_factor=div,
                       final_div_factor=div_final / div, max_momentum=moms[0], base_momentum=moms[1],
                       anneal_strategy="cos")
    lrs, momentums = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "lr_scheduler.step() before optimizer.step()"
        for step in range(total_steps):
            lrs.append(opt.param_groups[0]["lr"])
            momentums.append(group_momentum(opt.param_groups[0]))
            if step < total_steps - 1:
                sched.step()
    return tuple(lrs), tuple(momentums), tuple(opt.param_groups[0].get("betas", ()))


def lr_call(step, total, lr_max, pct_start=0.25, div=25.0, div_final=1e5):
    return (f"one_cycle_lr({step}, total_steps={total}, lr_max={lr_max:g}, pct_start={pct_start:g}, div={div:g}, "
            f"div_final={div_final:g})")


def mom_call(step, total, pct_start=0.25, moms=(0.95, 0.85, 0.95)):
    return f"one_cycle_momentum({step}, total_steps={total}, pct_start={pct_start:g}, moms={moms})"


def check_lr_steps(student, steps, total, lr_max, pct_start=0.25, div=25.0, div_final=1e5, hint=LR_HINT):
    expected = reference(total, lr_max, pct_start, div, div_final)[0]
    for step in steps:
        assert_float(student.one_cycle_lr(step, total, lr_max, pct_start, div, div_final), expected[step],
                     call=lr_call(step, total, lr_max, pct_start, div, div_final), hint=hint,
                     mistakes=LR_MISTAKES.on(step, total, lr_max, pct_start, div, div_final))


def check_mom_steps(student, steps, total, pct_start=0.25, moms=(0.95, 0.85, 0.95), hint=MOM_HINT):
    expected = reference(total, 0.01, pct_start, moms=moms)[1]
    for step in steps:
        assert_float(student.one_cycle_momentum(step, total, pct_start, moms), expected[step],
                     call=mom_call(step, total, pct_start, moms), hint=hint,
                     mistakes=MOM_MISTAKES.on(step, total, pct_start, moms))


# ------------------------------------------------------------------------------------- learning rate
@pytest.mark.points(1)
def test_starts_at_lr_max_over_div(student):
    for total, lr_max, pct_start, div, div_final in [(100, 0.01, 0.25, 25.0, 1e5), (50, 0.1, 0.3, 10.0, 1e4)]:
        check_lr_steps(student, [0], total, lr_max, pct_start, div, div_final, hint=STEP0_HINT)


@pytest.mark.points(1)
def test_peak_on_last_warmup_step(student):
    for total, pct_start in [(100, 0.25), (40, 0.5), (30, 0.2)]:
        peak = round(pct_start * total) - 1
        check_lr_steps(student, [peak], total, 0.01, pct_start, hint=PEAK_HINT)
        for step in (peak - 1, peak + 1):
            got = student.one_cycle_lr(step, total, 0.01, pct_start)
            value = as_float(got)
            if value is None or not value < 0.01:
                fail(_("{call} returned {got}, but only step {peak} may reach lr_max.").format(
                    call=lr_call(step, total, 0.01, pct_start), got=got, peak=peak), PEAK_HINT,
                    explaining(value, reference(total, 0.01, pct_start)[0][step],
                               LR_MISTAKES.on(step, total, 0.01, pct_start), math.isclose))


@pytest.mark.points(1)
def test_ends_at_lr_max_over_div_final(student):
    for total, lr_max, pct_start, div, div_final in [(100, 0.01, 0.25, 25.0, 1e5), (60, 0.5, 0.3, 10.0, 1e4)]:
        check_lr_steps(student, [total - 1], total, lr_max, pct_start, div, div_final, hint=FINAL_HINT)


@pytest.mark.points(1)
def test_cosine_not_linear(student):
    """The shape inside both phases of a long schedule. Tolerance 2% of lr_max: a cosine and a straight line
    differ by about 10% of lr_max at the quarter points, while a phase boundary one step off (another check)
    or a wrong final value (another check) move these values by well under 1%."""
    total, lr_max = 1000, 0.01
    lrs = reference(total, lr_max)[0]
    # about 1/4 and 3/4 of the way through each phase (the peak is step 249): (step, phase start, phase end)
    for step, start, end in [(62, lr_max / 25, lr_max), (187, lr_max / 25, lr_max),
                             (437, lr_max, lr_max / 1e5), (812, lr_max, lr_max / 1e5)]:
        got = student.one_cycle_lr(step, total, lr_max)
        value = as_float(got)
        if value is None or abs(value - lrs[step]) > 0.02 * lr_max:
            share = "?" if value is None else "{:.2f}".format((value - start) / (end - start))
            fail(_("{call} returned {got}, a fraction {share} of the way from the phase's start value to its end "
                   "value. A cosine phase is only about 0.15 of the way there after a quarter of the phase and 0.85 "
                   "after three quarters; a straight line is at 0.25 and 0.75.").format(
                       call=lr_call(step, total, lr_max), got=got, share=share), COSINE_HINT,
                 explaining(value, lrs[step], LR_MISTAKES.on(step, total, lr_max),
                            lambda a, b: abs(a - b) <= 0.02 * lr_max))


@pytest.mark.points(2)
@settings(parent=randomized, max_examples=10)
@given(total=totals, lr_max=lr_maxes, pct_start=pct_starts, div=divs, div_final=div_finals)
def test_lr_matches_onecyclelr(student, total, lr_max, pct_start, div, div_final):
    check_lr_steps(student, range(total), total, lr_max, pct_start, div, div_final)


# ------------------------------------------------------------------------------------------ momentum
@pytest.mark.points(1)
def test_momentum_opposite_to_lr(student):
    for total, pct_start in [(100, 0.25), (30, 0.5)]:
        peak = round(pct_start * total) - 1
        check_mom_steps(student, [0, peak, total - 1], total, pct_start)


@pytest.mark.points(1.5)
@settings(parent=randomized, max_examples=10)
@given(total=totals, pct_start=pct_starts, high=st.sampled_from([0.9, 0.95, 0.99]),
       low=st.sampled_from([0.5, 0.8, 0.85]))
def test_momentum_matches_onecyclelr(student, total, pct_start, high, low):
    check_mom_steps(student, range(total), total, pct_start, (high, low, high))


@pytest.mark.points(1)
def test_fastbook_schedule_100_steps(student, outcome):
    """The whole default schedule for 100 steps (recorded for the report's plot)."""
    lrs, moms, _betas = reference(100, 0.01)
    outcome.metric(reference_lr=list(lrs), reference_mom=list(moms))
    got_lr = [student.one_cycle_lr(step, 100, 0.01) for step in range(100)]
    outcome.metric(student_lr=[as_float(v) for v in got_lr])
    got_mom = [student.one_cycle_momentum(step, 100) for step in range(100)]
    outcome.metric(student_mom=[as_float(v) for v in got_mom])
    for step in range(100):
        assert_float(got_lr[step], lrs[step], call=lr_call(step, 100, 0.01), hint=LR_HINT,
                     mistakes=LR_MISTAKES.on(step, 100, 0.01))
    for step in range(100):
        assert_float(got_mom[step], moms[step], call=mom_call(step, 100), hint=MOM_HINT,
                     mistakes=MOM_MISTAKES.on(step, 100))


def as_float(value):
    try:
        return float(value)
    except (TypeError, ValueError, RuntimeError):
        return None


# ------------------------------------------------------------------------------------------ scheduler
def check_groups(opt, k, lrs, moms, call, hint, original=(0.5, 0.5)):
    """Every param group holds the step-k values; ``original`` = the optimizer's own (lr, momentum)."""
    for index, group in enumerate(opt.param_groups):
        where = _("{call}, param group {index}, after {k} calls to .step()").format(call=call, index=index, k=k)
        mistakes = (k and [LAGS_ONE_STEP.on(lrs[k - 1])]) or [NOT_SET_ON_CONSTRUCTION.on(original[0])]
        assert_float(group["lr"], lrs[k], call=where + ": lr", hint=hint, mistakes=mistakes)
        if "betas" in group:
            assert_float(group["betas"][0], moms[k], call=where + ": betas[0]", hint=hint,
                         mistakes=[BETAS_IGNORED.on(original[1])])
        else:  # a lag or an unset constructor would have shown in the lr already
            assert_float(group["momentum"], moms[k], call=where + ": momentum", hint=hint)


@pytest.mark.points(1)
def test_scheduler_sets_step0_values_on_construction(student):
    for total, lr_max in [(50, 0.02), (100, 0.5)]:
        lrs, moms, _betas = reference(total, lr_max)
        opt = send(make_optimizer("sgd", groups=2))
        call = f"OneCycle(SGD(lr=0.5, momentum=0.5), total_steps={total}, lr_max={lr_max:g})"
        student.OneCycle(opt, total, lr_max)
        check_groups(opt, 0, lrs, moms, call,
                     _("On construction every param group holds the step-0 learning rate (lr_max/div) and momentum "
                       "(moms[0])."))


@pytest.mark.points(1.5)
@settings(parent=randomized, max_examples=5)
@given(total=st.integers(10, 40), lr_max=lr_maxes, pct_start=pct_starts, div=divs, div_final=div_finals)
def test_scheduler_follows_schedule_with_sgd(student, total, lr_max, pct_start, div, div_final):
    lrs, moms, _betas = reference(total, lr_max, pct_start, div, div_final)
    opt = send(make_optimizer("sgd", groups=2))
    call = (f"OneCycle(SGD(...), total_steps={total}, lr_max={lr_max:g}, pct_start={pct_start:g}, div={div:g}, "
            f"div_final={div_final:g})")
    sched = student.OneCycle(opt, total, lr_max, pct_start, div, div_final)
    for k in range(1, total):
        sched.step()
        check_groups(opt, k, lrs, moms, call, SCHED_HINT)


@pytest.mark.points(1)
def test_scheduler_sets_adam_betas(student):
    total, lr_max = 30, 0.01
    lrs, moms, final_betas = reference(total, lr_max, kind="adam")
    opt = send(make_optimizer("adam"))
    call = f"OneCycle(Adam(lr=0.5, betas=(0.7, 0.99)), total_steps={total}, lr_max={lr_max:g})"
    hint = _("Adam has no 'momentum' entry: its momentum is betas[0]. Replace the tuple, "
             "group['betas'] = (mom, group['betas'][1]), and keep betas[1] as it is.")
    sched = student.OneCycle(opt, total, lr_max)
    for k in range(total):
        if k:
            sched.step()
        group = opt.param_groups[0]
        if not isinstance(group.get("betas"), tuple) or len(group["betas"]) != 2:
            fail(_("{call}: after {k} calls to .step() the param group's betas is {got}, expected a pair "
                   "(momentum, beta2).").format(call=call, k=k, got=group.get("betas")), hint)
        check_groups(opt, k, lrs, moms, call, hint, original=(0.5, 0.7))
        assert_float(group["betas"][1], final_betas[1], call=call + ": betas[1]", hint=hint)


@pytest.mark.points(1)
def test_does_not_use_onecyclelr(student):
    call = "one_cycle_lr / one_cycle_momentum / OneCycle"
    with forbid("torch.optim.lr_scheduler.OneCycleLR.__init__", "torch.optim.lr_scheduler.OneCycleLR.get_lr",
                call=call, hint=_("Compute the schedule yourself with math.cos; OneCycleLR is only the reference.")):
        student.one_cycle_lr(3, 20, 0.01)
        student.one_cycle_momentum(3, 20)
        sched = student.OneCycle(send(make_optimizer("sgd")), 20, 0.01)
        sched.step()
