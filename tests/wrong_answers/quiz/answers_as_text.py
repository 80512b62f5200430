"""ANSWERS rewritten as one string instead of a dict."""
CAUGHT_BY = ["test_question"]
MESSAGE_MENTIONS = "expected a dict"

ANSWERS = "a, b, c"
