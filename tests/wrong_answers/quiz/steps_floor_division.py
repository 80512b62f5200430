"""Q29: steps per epoch counted with 8000 // 128, leaving out the last, incomplete batch."""
CAUGHT_BY = ["test_question"]
MESSAGE_MENTIONS = "incomplete batch"

ANSWERS["q29_steps"] = 62
