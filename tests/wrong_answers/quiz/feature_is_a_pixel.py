"""Q1: a feature taken for a raw pixel (option b under SEED 0)."""
CAUGHT_BY = ["test_question"]
MESSAGE_MENTIONS = "raw data"

ANSWERS["q01"] = "b"
