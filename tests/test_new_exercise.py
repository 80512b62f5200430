"""convgrade new, as an instructor adds one exercise end to end (docs/instructors.md): new, validate the
example, fill in a real solution and check, assign, validate, grade."""
import pytest
from click.testing import CliRunner

from grader.cli import main

SOLUTION = '''"""Average pooling: each 2x2 block of a feature map becomes its mean, halving height and width.

Uśrednianie (average pooling): każdy blok 2x2 mapy cech zastępuje jego średnia.
"""


def avg_pool2x2(x):
    """(N, C, H, W) with even H and W -> (N, C, H/2, W/2), each value the mean of a 2x2 block.

    Każda wartość wyniku to średnia bloku 2x2.
    """
    # BEGIN SOLUTION
    # PROMPT # view the blocks as extra dimensions, then average over them
    n, c, h, w = x.shape
    return x.view(n, c, h // 2, 2, w // 2, 2).mean(dim=(3, 5))
    # END SOLUTION
'''
CHECKS = '''import pytest
import torch.nn.functional as F

from grader.testing import assert_close, random_tensor


@pytest.mark.points(2)
def test_matches_avg_pool2d(student):
    for seed, shape in enumerate([(1, 1, 2, 2), (2, 3, 4, 6)]):
        x = random_tensor(*shape, seed=seed)
        assert_close(student.avg_pool2x2(x), F.avg_pool2d(x, 2), call=f"avg_pool2x2(<{shape}>)",
                     hint="Average each 2x2 block: four neighbours, one mean.")  # _() would need a translation
'''


def convgrade(course_path, *args):
    result = CliRunner().invoke(main, [*args, "--course", str(course_path)], catch_exceptions=False)
    return result.exit_code, result.output


def test_new_fill_in_assign_validate_grade(course_copy):
    root = course_copy.parent
    manifest = course_copy.read_text()
    code, output = convgrade(course_copy, "new", "avg_pool", "--title", "Average pooling", "--points", "5")
    assert code == 0, output
    for path in ("solutions/avg_pool.py", "grader/checks/avg_pool.py", "exercises/avg_pool.py",
                 "exercises/notebooks/avg_pool.ipynb"):
        assert (root / path).is_file() and path in output
    assert course_copy.read_text().startswith(manifest.rstrip("\n") + "\n  - id: avg_pool\n"), "comments and layout kept"

    code, output = convgrade(course_copy, "validate", "-e", "avg_pool")
    assert code == 0, f"the scaffolded example must validate:\n{output}"

    (root / "solutions" / "avg_pool.py").write_text(SOLUTION)
    (root / "grader" / "checks" / "avg_pool.py").write_text(CHECKS)
    code, output = convgrade(course_copy, "assign")
    assert code == 0 and "exercises/avg_pool.py" in output and "exercises/kernels.py" not in output
    stub = (root / "exercises" / "avg_pool.py").read_text()
    assert "raise NotImplementedError" in stub and "mean(dim" not in stub

    code, output = convgrade(course_copy, "validate", "-e", "avg_pool")
    assert code == 0, output
    code, output = convgrade(course_copy, "grade", str(root / "solutions"), "-e", "avg_pool", "--lang", "en")
    assert code == 0 and "Total: 5/5" in output


@pytest.mark.parametrize("exercise_id, problem", [
    ("kernels", "already exists"), ("2d_pool", "cannot be an exercise id"), ("torch", "installed module")])
def test_new_refuses_an_id_it_cannot_use(course_copy, exercise_id, problem):
    manifest = course_copy.read_text()
    code, output = convgrade(course_copy, "new", exercise_id)
    assert code == 2 and problem in output and len(output.strip().splitlines()) == 1
    assert course_copy.read_text() == manifest


def test_new_never_overwrites_a_file(course_copy):
    (course_copy.parent / "grader" / "checks" / "pooling.py").write_text("# mine\n")
    code, output = convgrade(course_copy, "new", "pooling")
    assert code == 2 and "pooling.py already exists" in output
    assert not (course_copy.parent / "solutions" / "pooling.py").exists()
