"""train() only trains the first network it is given (a flag left over from debugging): the second guesses."""
CAUGHT_BY = ["test_both_orders_trained"]
MESSAGE_MENTIONS = "not both networks were trained"

import mnist as _mnist  # noqa: E402

_calls = []


def train(model, x, y, device):
    _calls.append(1)
    return _mnist.train(model, x, y, device) if len(_calls) == 1 else model
