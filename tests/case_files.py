"""Reading the case files of the wrong-answer and tampering suites: their UPPER_CASE constants, and the
test function a check name points at."""
import ast
import re
from pathlib import Path


def constants(path: Path) -> dict:
    """The literal UPPER_CASE assignments at the top level of a case file (never run: read as source)."""
    tree = ast.parse(path.read_text())
    return {target.id: ast.literal_eval(node.value) for node in tree.body if isinstance(node, ast.Assign)
            for target in node.targets if isinstance(target, ast.Name) and target.id.isupper()}


def check_function(check_name: str) -> str:
    """'shapes::receptive_field[mnist_cnn]' -> 'test_receptive_field'."""
    return "test_" + re.sub(r"\[.*\]$", "", check_name.split("::", 1)[1])
