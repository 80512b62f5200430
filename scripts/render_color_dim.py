"""Render the quiz's Q37 picture: color_dim of good and of bad training, from real training runs.

Good: the chapter's CNN with batch norm (solutions/mnist.py) trained with 1cycle. Bad: the same CNN
without batch norm (solutions/model.py's simple_cnn) trained with 1cycle up to too high a learning rate,
as in fastbook (0.06).
Both train for two epochs on the grader's embedded MNIST split; the output of the fourth block (the
second-to-last layer, as fastbook plots it) is kept for every batch and turned into the histogram
matrix by solutions/activation_stats.py's color_dim. Plot 1 is the bad run, plot 2 the good one (the
quiz file says so). Run from the repository root; it rewrites quizzes/chapter13_color_dim.png:

    python scripts/render_color_dim.py
"""
import io
import math
import sys
from pathlib import Path

import matplotlib
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "solutions"))

from activation_stats import color_dim  # noqa: E402
from grader import datasets, training  # noqa: E402
from mnist import build_model  # noqa: E402
from model import simple_cnn  # noqa: E402
from one_cycle import OneCycle  # noqa: E402

OUTPUT = ROOT / "quizzes" / "chapter13_color_dim.png"
EPOCHS, BATCH_SIZE = 2, 128
GOOD_LR_MAX, BAD_LR_MAX = 0.02, 0.06  # fastbook's bad run: 0.06 without batch norm


def activations_while_training(model, x, y, lr_max):
    """Train with AdamW and 1cycle; return the fourth block's output for every batch (detached)."""
    kept = []
    handle = model[3].register_forward_hook(lambda module, inputs, output: kept.append(output.detach().clone()))
    opt = torch.optim.AdamW(model.parameters(), lr=lr_max, weight_decay=0.01)
    sched = OneCycle(opt, total_steps=EPOCHS * math.ceil(len(x) / BATCH_SIZE), lr_max=lr_max)
    model.train()
    for _epoch in range(EPOCHS):
        order = torch.randperm(len(x))
        for start in range(0, len(x), BATCH_SIZE):
            batch = order[start:start + BATCH_SIZE]
            loss = F.cross_entropy(model(x[batch]), y[batch])
            loss.backward()
            opt.step()
            opt.zero_grad()
            sched.step()
    handle.remove()
    return kept


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    split = datasets.load_dataset("mnist-embedded")
    x, y = training.to_tensors(split.x_train, split.y_train)
    bad = color_dim(activations_while_training(simple_cnn(), x, y, BAD_LR_MAX))
    torch.manual_seed(0)
    good = color_dim(activations_while_training(build_model(), x, y, GOOD_LR_MAX))
    with matplotlib.rc_context({"font.size": 9}):
        fig = Figure(figsize=(6.4, 2.4), layout="constrained")
        for ax, (label, matrix) in zip(fig.subplots(ncols=2), (("1", bad), ("2", good))):
            ax.imshow(matrix.numpy(), origin="lower", aspect="auto", cmap="viridis", interpolation="nearest")
            ax.set_title(label, fontsize=12, fontweight="bold")
            ax.set_xticks([])
            ax.set_yticks([])
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=80)
    OUTPUT.write_bytes(buffer.getvalue())
    print(f"{OUTPUT.relative_to(ROOT)}: {len(buffer.getvalue()):,} bytes; share of activations in the bottom row: "
          f"bad {bottom_row_share(bad):.2f}, good {bottom_row_share(good):.2f}")


def bottom_row_share(matrix):
    """The fraction of all counted activations that fall into row 0 (undoing color_dim's log1p)."""
    counts = matrix.expm1()
    return (counts[0].sum() / counts.sum()).item()


if __name__ == "__main__":
    main()
