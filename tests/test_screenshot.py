"""The HTML report really renders: the CLI writes it, headless Chromium (Debian's `chromium`) photographs it."""
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from matplotlib.image import imread

from grader import i18n, plots
from grader.cli import main

ROOT = Path(__file__).resolve().parents[1]
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
WIDTH, HEIGHT = 1000, 1400
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars", f"--window-size={WIDTH},{HEIGHT}"]


@pytest.fixture(scope="module")
def browser():
    found = next((path for path in map(shutil.which, BROWSERS) if path), None)
    if found is None:
        pytest.skip("headless Chromium is not installed (Debian: apt-get install -y chromium), so the HTML report "
                    "was not rendered in a browser")
    return found


def test_report_renders_in_chromium(browser, tmp_path):
    report = tmp_path / "report.html"
    with i18n.using_language(i18n.language()):
        run = CliRunner().invoke(main, ["grade", str(ROOT / "solutions"), "--course", str(ROOT / "course.yaml"),
                                        "-e", "one_cycle", "--format", "html", "--output", str(report),
                                        "--lang", "pl"])
    assert run.exit_code == 0, run.output
    screenshot = tmp_path / "report.png"
    subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                    f"--screenshot={screenshot}", report.as_uri()], capture_output=True, timeout=120, check=False)
    assert screenshot.exists(), "Chromium wrote no screenshot"
    pixels = (imread(screenshot)[..., :3] * 255).round().astype(np.uint8)
    assert pixels.shape == (HEIGHT, WIDTH, 3)
    colours = np.unique(pixels.reshape(-1, 3), axis=0)
    assert len(colours) > 200, "the page looks empty: text and plots have many shades"
    for hex_colour in (plots.STUDENT_COLOR, plots.REFERENCE_COLOR):  # the 1cycle plot's two curves are on screen
        rgb = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)])
        assert (np.abs(pixels.astype(int) - rgb).sum(axis=2) < 40).sum() > 50, hex_colour


def test_class_report_renders_in_chromium(browser, tmp_path):
    from test_class_insight import small_class, write_class  # the synthetic class of the class-insight tests

    grades = write_class(tmp_path / "grades", small_class(lang="pl"))
    page = tmp_path / "class.html"
    with i18n.using_language(i18n.language()):
        run = CliRunner().invoke(main, ["class-report", str(grades), "-o", str(page)])
    assert run.exit_code == 0, run.output
    screenshot = tmp_path / "class.png"
    subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                    f"--screenshot={screenshot}", page.as_uri()], capture_output=True, timeout=120, check=False)
    assert screenshot.exists(), "Chromium wrote no screenshot"
    pixels = (imread(screenshot)[..., :3] * 255).round().astype(np.uint8)
    assert pixels.shape == (HEIGHT, WIDTH, 3)
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 200, "the page looks empty"
    for hex_colour in (plots.REFERENCE_COLOR, plots.MISTAKE_COLOR):  # histogram bars; checks under half passed
        rgb = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)])
        assert (np.abs(pixels.astype(int) - rgb).sum(axis=2) < 40).sum() > 200, hex_colour
