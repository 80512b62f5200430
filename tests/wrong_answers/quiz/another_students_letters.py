"""The key's letters with another SEED: the options are lettered differently there, so answers go wrong."""
CAUGHT_BY = ["test_question"]
MESSAGE_MENTIONS = "answers"

SEED = 1
