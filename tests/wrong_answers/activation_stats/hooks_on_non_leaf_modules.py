"""Every module with parameters is watched, including nn.Sequential containers (and the model itself)."""
CAUGHT_BY = ["test_hooks_on_leaf_modules_with_parameters", "test_one_record_per_batch"]
MISTAKE = "hooks_on_non_leaf_modules"


class ActivationStats:
    def __init__(self, model):
        self.layers = [m for m in model.modules() if len(list(m.parameters())) > 0]
        self.stats = [[] for layer in self.layers]
        self.handles = []

    def __enter__(self):
        for index, layer in enumerate(self.layers):
            self.handles.append(layer.register_forward_hook(self._hook_for(index)))
        return self

    def _hook_for(self, index):
        def hook(module, inputs, output):
            self.stats[index].append(layer_stats(output))
        return hook

    def __exit__(self, *exc_info):
        for handle in self.handles:
            handle.remove()
