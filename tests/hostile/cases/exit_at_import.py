"""os._exit(0) at import: the exercise process vanishes without a word, exit code 0.

Expected: 0 points, "crashed", and a message that names os._exit.
"""
import os

os._exit(0)
