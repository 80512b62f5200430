"""grader.queries answers with plain data, exactly as torch sees the objects, and leaves no trace in them.

Here on the checker's own objects; on a student's (a handle) the same code runs in the student process.
"""
import pytest
import torch
from torch import nn

from grader import queries
from grader.testing import CheckFailed


def model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 4, 3, stride=2, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(),
                         nn.Linear(4 * 4 * 4, 2))


def test_describe_lists_modules_parameters_and_buffers_as_plain_data():
    m = model()
    m.eval()
    info = queries.describe(m)
    assert info["type"] == "Sequential" and info["is_module"] and info["training"] is False
    assert "torch.nn.modules.module.Module" in info["mro"]
    assert [p["name"] for p in info["parameters"]] == [name for name, _p in m.named_parameters()]
    assert info["parameters"][0] == {"name": "0.weight", "shape": (4, 1, 3, 3), "requires_grad": True, "dtype": "float32"}
    assert {b["name"] for b in info["buffers"]} == {"1.running_mean", "1.running_var", "1.num_batches_tracked"}
    modules = {mod["name"]: mod for mod in info["modules"]}
    assert modules[""]["leaf"] is False
    assert {k: modules["2"][k] for k in ("name", "type", "leaf", "attrs", "own_params", "forward_hooks")} == {
        "name": "2", "type": "ReLU", "leaf": True, "attrs": {"inplace": False}, "own_params": [], "forward_hooks": 0}
    assert modules["0"]["attrs"] == {"kernel_size": (3, 3), "stride": (2, 2), "padding": (1, 1), "dilation": (1, 1),
                                     "groups": 1, "in_channels": 1, "out_channels": 4}
    assert modules["1"]["attrs"]["eps"] == 1e-5 and modules["1"]["attrs"]["num_features"] == 4
    assert queries.describe(3)["is_module"] is False and queries.describe(3)["modules"] == []


def test_backward_matches_autograd_and_clears_the_gradients():
    layer = nn.Linear(3, 2)
    x, grad_out = torch.randn(4, 3), torch.randn(4, 2)
    out, (grad_x,), grads = queries.backward(layer, (x,), grad_out)
    x_ref = x.clone().requires_grad_(True)
    layer(x_ref).backward(grad_out)
    assert torch.allclose(out, layer(x).detach()) and not out.requires_grad
    assert torch.allclose(grad_x, x_ref.grad) and torch.allclose(grads["weight"], layer.weight.grad)
    layer.zero_grad(set_to_none=True)
    queries.backward(layer, (x,), grad_out)
    assert layer.weight.grad is None and not x.requires_grad  # the call leaves no trace
    out, grads_in, grads = queries.backward(layer, (x,), torch.randn(4, 3))  # grad_output of the wrong shape
    assert out.shape == (4, 2) and grads_in is None and grads is None


def test_set_tensors_copies_by_dotted_name_and_names_mistakes():
    m = model()
    queries.set_tensors(m, {"1.weight": torch.full((4,), 2.0), "1.running_mean": torch.arange(4.0)})
    assert torch.equal(m[1].weight.detach(), torch.full((4,), 2.0)) and torch.equal(m[1].running_mean, torch.arange(4.0))
    with pytest.raises(CheckFailed, match="no parameter or buffer named `1.gamma`"):
        queries.set_tensors(m, {"1.gamma": torch.ones(4)})
    with pytest.raises(CheckFailed, match=r"expected 5 numbers"):
        queries.set_tensors(m, {"1.weight": torch.ones(5)})


def test_tensors_are_detached_copies():
    m = model()
    copies = queries.tensors(m)
    copies = {k: v.detach().clone() for k, v in copies.items()}  # here (no process between) they are the tensors
    copies["0.weight"].zero_()
    assert not torch.equal(m[0].weight.detach(), copies["0.weight"])
    assert "1.running_var" in copies


def test_leaf_outputs_names_the_layers_with_parameters_in_order():
    seen = queries.leaf_outputs(model(), torch.randn(2, 1, 8, 8))
    assert seen == [{"name": "0", "type": "Conv2d", "shape": (2, 4, 4, 4)},
                    {"name": "1", "type": "BatchNorm2d", "shape": (2, 4, 4, 4)},
                    {"name": "4", "type": "Linear", "shape": (2, 2)}]
    m = model()
    queries.leaf_outputs(m, torch.randn(2, 1, 8, 8))
    assert not any(mod._forward_hooks for mod in m.modules())  # hooks removed
