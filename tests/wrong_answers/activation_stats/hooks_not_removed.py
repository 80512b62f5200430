"""__exit__ forgets to remove the hooks, so they keep recording after the with block."""
CAUGHT_BY = ["test_hooks_removed_on_exit"]
MISTAKE = "hooks_not_removed"


class ActivationStats:
    def __init__(self, model):
        self.layers = [m for m in model.modules()
                       if len(list(m.children())) == 0 and len(list(m.parameters())) > 0]
        self.stats = [[] for layer in self.layers]

    def __enter__(self):
        for index, layer in enumerate(self.layers):
            layer.register_forward_hook(lambda module, inputs, output, index=index:
                                        self.stats[index].append(layer_stats(output)))
        return self

    def __exit__(self, *exc_info):
        pass
