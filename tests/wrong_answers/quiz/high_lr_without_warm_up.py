"""Q32: a high learning rate believed safe from the first batch, and the precise end of training credited to it."""
CAUGHT_BY = ["test_question"]
MESSAGE_MENTIONS = "low learning rate"

ANSWERS["q32"] = ["b", "d"]
