"""Q37: the steady plot taken for the bad training (option a under SEED 0 is plot 2)."""
CAUGHT_BY = ["test_question"]
MESSAGE_MENTIONS = "good training"

ANSWERS["q37_pictures"] = "a"
