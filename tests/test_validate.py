"""convgrade validate: a course copy with each kind of defect, and the one-line list of what is wrong."""
import yaml
from click.testing import CliRunner

import grader
from grader.cli import main
from grader.validate import validate

ALWAYS_PASSES = '''

@pytest.mark.points(1)
def test_returns_something(student):
    assert student is not None
'''
FREE_CHECK = '''

@pytest.mark.points(0)
def test_worth_nothing(student):
    assert student.coord_grid(1, 2) == [[(1, 1)]]
'''


def run_validate(course_path, *args):
    return CliRunner().invoke(main, ["validate", "--course", str(course_path), *args], catch_exceptions=False)


def test_each_defect_is_listed(course_copy):
    """One validation of a course whose only exercise, kernels, has every defect a check can have."""
    manifest = yaml.safe_load(course_copy.read_text())
    manifest["exercises"] = [entry for entry in manifest["exercises"] if entry["id"] == "kernels"]
    course_copy.write_text(yaml.safe_dump(manifest, allow_unicode=True))
    root = course_copy.parent
    solution = root / "solutions" / "kernels.py"
    wrong = solution.read_text().replace("for j in range(lo, hi)] for i in range(lo, hi)]",
                                         "for i in range(lo, hi)] for j in range(lo, hi)]")  # i and j swapped
    assert wrong != solution.read_text()
    solution.write_text(wrong.replace("the outer list runs over i", "the outer list runs over the rows i"))
    with (root / "grader" / "checks" / "kernels.py").open("a") as f:
        f.write(ALWAYS_PASSES + FREE_CHECK)
    (root / "solutions" / "pooling.py").write_text("def pool(x):\n    return x\n")

    problems = validate(grader.load_course(course_copy))
    expected = [f"{root}/exercises/kernels.py is out of date",
                f"{root}/exercises/notebooks/kernels.ipynb is out of date",
                "kernels::coord_grid fails on the solution", "kernels::returns_something passes on the stub",
                "kernels::worth_nothing is worth no points"]
    about_kernels = sorted(p for p in problems if "kernels" in p)
    assert len(about_kernels) == len(expected), problems
    for start, problem in zip(expected, about_kernels):
        assert problem.startswith(start)
    assert any(p.startswith(str(root / "solutions" / "pooling.py") + " is not an exercise") for p in problems)


def test_missing_solution_and_broken_markers_are_listed_without_grading(course_copy):
    root = course_copy.parent
    (root / "solutions" / "kernels.py").unlink()
    shapes = root / "solutions" / "shapes.py"
    shapes.write_text(shapes.read_text().replace("# END SOLUTION", "", 1))
    result = run_validate(course_copy, "-e", "kernels", "-e", "shapes")
    assert result.exit_code == 1
    assert "kernels.py" in result.output and "convgrade new kernels" in result.output
    assert "shapes.py:" in result.output and "BEGIN SOLUTION" in result.output


def test_a_manifest_pointing_at_a_missing_file_is_one_line_exit_2(course_copy):
    course_copy.write_text(course_copy.read_text().replace("grader/checks/kernels.py", "grader/checks/kernel.py"))
    result = run_validate(course_copy)
    assert result.exit_code == 2
    assert str(course_copy) in result.output and "check file grader/checks/kernel.py does not exist" in result.output
    assert len(result.output.strip().splitlines()) == 1
