"""Q29: the noise of a batch's mean gradient taken to shrink with n rather than with its square root."""
CAUGHT_BY = ["test_question"]
MESSAGE_MENTIONS = "square root"

ANSWERS["q29_noise"] = 4.0
