"""The HTML report as a student gets it: parsed, every exercise and check present, plots embedded, offline."""
from html.parser import HTMLParser
from pathlib import Path

import pytest

import grader
from grader import html_report, i18n, plots
from grader.results import CheckResult, ExerciseResult, GradeResult

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ["kernels", "one_cycle"]
LINEAR_LR = '''

def one_cycle_lr(step, total_steps, lr_max, pct_start=0.25, div=25.0, div_final=1e5):
    """Straight lines instead of cosines: a plausible mistake."""
    peak = pct_start * total_steps - 1
    if step <= peak:
        return lr_max / div + (lr_max - lr_max / div) * step / peak
    return lr_max + (lr_max / div_final - lr_max) * (step - peak) / (total_steps - 1 - peak)
'''


class Page(HTMLParser):
    """What a reader and a browser would load: sections, checks, images, every URL-like attribute."""

    def __init__(self, text: str):
        super().__init__()
        self.tags, self.exercises, self.checks, self.images, self.links = [], [], {}, [], []
        self.failed_checks = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if "data-exercise" in attrs:
            self.exercises.append(attrs["data-exercise"])
        if "data-check" in attrs:
            self.checks[attrs["data-check"]] = attrs["class"].split()
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        self.links += [value for key, value in attrs.items() if key in ("href", "src", "action") and value]


def grade(path, **kwargs) -> GradeResult:
    """grader.grade, leaving this process's message language as it was (grade() switches it)."""
    with i18n.using_language(i18n.language()):
        return grader.grade(path, course=ROOT / "course.yaml", **kwargs)


def assert_self_contained(text: str, page: Page) -> None:
    assert not {"script", "link", "iframe", "object", "embed"} & set(page.tags)
    assert all(link.startswith(("#", "data:image/png;base64,")) for link in page.links), page.links
    assert "http://" not in text and "https://" not in text and "url(" not in text


@pytest.fixture(scope="module")
def solutions_page():
    result = grade(ROOT / "solutions", exercises=EXERCISES, lang="pl")
    text = html_report.to_html(result)
    return result, text, Page(text)


@pytest.fixture(scope="module")
def wrong_page(tmp_path_factory):
    folder = tmp_path_factory.mktemp("linear_lr")
    source = (ROOT / "solutions" / "one_cycle.py").read_text(encoding="utf-8")
    (folder / "one_cycle.py").write_text(source + LINEAR_LR, encoding="utf-8")
    result = grade(folder / "one_cycle.py", lang="en")
    text = html_report.to_html(result)
    return result, text, Page(text)


def test_solutions_report_has_every_exercise_and_check(solutions_page):
    result, text, page = solutions_page
    assert page.exercises == EXERCISES
    assert set(page.checks) == {c.name for c in result.checks()}
    assert all("passed" in classes for classes in page.checks.values())
    assert '<html lang="pl">' in text and "Razem:" in text
    assert_self_contained(text, page)


def test_solutions_report_plots_the_1cycle_schedule(solutions_page):
    _result, _text, page = solutions_page
    assert page.images and all(src.startswith("data:image/png;base64,iVBOR") for src in page.images)


def test_wrong_submission_report_explains_the_failures(wrong_page):
    result, text, page = wrong_page
    failed = [c for c in result.checks() if not c.passed]
    assert failed and page.exercises == ["one_cycle"]
    for check in failed:
        assert "failed" in page.checks[check.name]
    assert "cosine" in text and '<html lang="en">' in text
    assert len(page.images) == 1  # the schedule against the reference, with the first difference marked
    assert_self_contained(text, page)


def test_messages_are_escaped():
    check = CheckResult(name="kernels::evil", score=0, max_score=1, passed=False,
                        message="<script>alert(1)</script> & <img src=https://example.com/x.png>")
    result = GradeResult(course="c", submission="<b>s</b>", seed=0, lang="en", device="cpu", exercises=[
        ExerciseResult(id="kernels", title="K", score=0, max_score=1, status="ok", checks=[check])])
    text = html_report.to_html(result)
    page = Page(text)
    assert "script" not in page.tags and page.images == [] and "&lt;script&gt;" in text


# ------------------------------------------------------------------------------------------- plots
def training_metrics():
    confusion = [[95 if i == j else (3 if (i, j) == (4, 9) else 0) for j in range(10)] for i in range(10)]
    return {"train_loss": [2.3 / (1 + i / 10) for i in range(60)], "train_loss_every": 2, "accuracy": 0.962,
            "thresholds": [{"accuracy": 0.95, "credit": 0.5}, {"accuracy": 0.97, "credit": 1.0}],
            "confusion": confusion, "classes": [str(i) for i in range(10)],
            "misclassified": [{"index": 7, "label": 4, "predicted": 9, "image": [[(r * c) % 256 for c in range(28)]
                                                                                  for r in range(28)]},
                              {"index": 9, "label": 3, "predicted": 5}]}


def activation_metrics():
    def per_layer(f):
        return [[f(layer, batch) for batch in range(6)] for layer in range(3)]

    histogram = [[float((b + bin_) % 7) for b in range(8)] for bin_ in range(40)]
    return {"layer_names": ["0 (Conv2d)", "2 (Conv2d)", "4 (Linear)"],
            "layer_mean": per_layer(lambda layer, b: 0.5 / (layer + 1)),
            "layer_std": per_layer(lambda layer, b: 1.0 - b / 20), "layer_near_zero": per_layer(lambda layer, b: 0.4),
            "color_dim": histogram, "reference_color_dim": histogram[::-1]}


def test_plots_for_training_metrics():
    found = plots.plots_for(training_metrics())
    assert [p.title for p in found] == ["Training loss", "Held-out accuracy", "Confusion matrix",
                                        "Misclassified test images"]
    assert all(p.png.startswith(b"\x89PNG") and p.caption for p in found)


def test_plots_for_activation_statistics():
    titles = [p.title for p in plots.plots_for(activation_metrics())]
    assert titles == ["Activation statistics per layer", "Colourful dimension: histogram of activations per batch"]


def test_plots_for_the_bn_order_experiment():
    details = {"order_loss": {"BN -> ReLU": [2.3, 1.0, 0.4], "ReLU -> BN": [2.3, 1.2, 0.5]}, "order_loss_every": 2,
               "order_accuracy": {"BN -> ReLU": 0.98, "ReLU -> BN": 0.97}}
    found = plots.plots_for(details)
    assert [p.title for p in found] == ["Batch norm before or after ReLU: training loss"]
    assert found[0].png.startswith(b"\x89PNG") and "accuracy" in found[0].caption


@pytest.mark.parametrize("details", [
    {},
    {"order_loss": {"BN -> ReLU": "nan"}, "order_accuracy": 0.9},
    {"order_loss": [[1.0, 0.5]]},
    {"reason": "failed", "accuracy": 0.9},
    {"student_lr": [0.1, 0.2]},
    {"reference_lr": [None, None], "student_lr": [0.1, 0.2]},
    {"confusion": [[1, 2], [3]], "misclassified": [{"label": 1}], "thresholds": [{}], "accuracy": 0.5},
    {"train_loss": "nan", "layer_mean": [[0.1]], "layer_std": [], "color_dim": [[]], "reference_color_dim": [[1], []]},
])
def test_missing_or_malformed_metrics_mean_no_plot(details):
    assert plots.plots_for(details) == []
