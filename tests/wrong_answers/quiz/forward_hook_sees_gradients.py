"""Q26: a forward hook confused with a backward hook (option b under SEED 0 is the gradient)."""
CAUGHT_BY = ["test_question"]
MESSAGE_MENTIONS = "backward hook"

ANSWERS["q26"] = ["a", "b"]
