"""Tests for the network modules and the staged-module protocol."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.utils._param_validation import InvalidParameterError
from torch import nn

from sklearn_imbalance_dl.modules import (
    MLP,
    CosineLinear,
    ResNet32,
    forward_staged,
    is_staged,
    make_head,
    n_mixing_points,
    reset_head,
)


def _manual_forward(module, x, zero_at=None):
    """head(stages[-1](...stages[0](x))), zeroing the activation after `zero_at` stages."""
    for k, stage in enumerate(module.stages):
        if k == zero_at:
            x = torch.zeros_like(x)
        x = stage(x)
    if zero_at == len(module.stages):
        x = torch.zeros_like(x)
    return module.head(x)


def _staged_cases():
    torch.manual_seed(0)
    return [
        ("mlp", MLP(12, 4, hidden_sizes=(16, 8), dropout=0.0).eval(), torch.randn(6, 12)),
        ("mlp_images", MLP(2 * 3 * 3, 4, hidden_sizes=(8,)).eval(), torch.randn(5, 2, 3, 3)),
        ("mlp_linear", MLP(12, 4, hidden_sizes=()).eval(), torch.randn(6, 12)),
        ("mlp_linear_images", MLP(18, 3, hidden_sizes=()).eval(), torch.randn(5, 2, 3, 3)),
        ("mlp_cosine", MLP(12, 4, hidden_sizes=(8,), head="cosine").eval(), torch.randn(6, 12)),
        ("resnet32", ResNet32(5).eval(), torch.randn(3, 3, 16, 16)),
    ]


@pytest.mark.parametrize("name,module,x", _staged_cases(), ids=[c[0] for c in _staged_cases()])
def test_forward_staged_equals_forward(name, module, x):
    assert is_staged(module)
    with torch.no_grad():
        logits, h = forward_staged(module, x)
        expected = module(x)
    assert torch.equal(logits, expected)
    assert torch.equal(logits, _manual_forward(module, x))
    assert torch.equal(module.head(h), logits)


@pytest.mark.parametrize("name,module,x", _staged_cases(), ids=[c[0] for c in _staged_cases()])
def test_mix_fn_applied_once_at_point(name, module, x):
    n_points = n_mixing_points(module)
    assert n_points == len(module.stages) + 1
    for k in range(n_points):
        calls = []

        def zero(t, calls=calls):
            calls.append(tuple(t.shape))
            return torch.zeros_like(t)

        with torch.no_grad():
            logits, h = forward_staged(module, x, mix_at=k, mix_fn=zero)
            expected = _manual_forward(module, x, zero_at=k)
        assert len(calls) == 1
        assert torch.equal(logits, expected)
        if k == n_points - 1:
            assert torch.count_nonzero(h) == 0


def test_mixing_points_and_feature_shapes():
    mlp = MLP(10, 3, hidden_sizes=(32, 16, 8))
    assert n_mixing_points(mlp) == 4
    assert n_mixing_points(MLP(10, 3, hidden_sizes=())) == 1
    net = ResNet32(10).eval()
    assert n_mixing_points(net) == 4
    shapes = []
    with torch.no_grad():
        for k in range(4):
            forward_staged(
                net,
                torch.randn(2, 3, 32, 32),
                mix_at=k,
                mix_fn=lambda t: shapes.append(tuple(t.shape)) or t,
            )
    assert shapes == [(2, 3, 32, 32), (2, 16, 32, 32), (2, 32, 16, 16), (2, 64)]


def test_h_supports_feature_gradients():
    net = MLP(6, 3, hidden_sizes=(8,)).train()
    x, y = torch.randn(10, 6), torch.randint(0, 3, (10,))
    logits, h = forward_staged(net, x, mix_at=0, mix_fn=lambda t: 0.7 * t + 0.3 * t.flip(0))
    losses = F.cross_entropy(logits, y, reduction="none")
    (grad_h,) = torch.autograd.grad(losses.sum(), h)
    assert grad_h.shape == h.shape and torch.isfinite(grad_h).all()


def test_protocol_rejects_bad_input():
    with pytest.raises(TypeError, match="staged module"):
        forward_staged(nn.Linear(3, 2), torch.randn(2, 3))
    assert not is_staged(nn.Linear(3, 2))
    net = MLP(4, 2, hidden_sizes=(8,))
    with pytest.raises(ValueError, match=r"mix_at must be an int in the range \[0, 1\]"):
        forward_staged(net, torch.randn(3, 4), mix_at=2, mix_fn=lambda t: t)
    with pytest.raises(ValueError, match="mix_fn must be given"):
        forward_staged(net, torch.randn(3, 4), mix_at=0)


def test_user_module_opts_in():
    class TwoLayer(nn.Module):
        def __init__(self):
            super().__init__()
            self.stages = nn.ModuleList([nn.Sequential(nn.Linear(4, 5), nn.ReLU())])
            self.head = nn.Linear(5, 2)

        def forward(self, x):
            for stage in self.stages:
                x = stage(x)
            return self.head(x)

    net = TwoLayer()
    x = torch.randn(3, 4)
    logits, h = forward_staged(net, x)
    assert torch.equal(logits, net(x)) and h.shape == (3, 5)


def _resnet_param_count(n_classes, in_channels=3, widths=(16, 32, 64), blocks=5, head="linear"):
    # 3x3 convs without bias, 2 BN params (weight, bias) per channel, parameter-free
    # option-A shortcuts, then the head.
    conv = 9 * in_channels * widths[0]
    bn = 2 * widths[0]
    in_planes = widths[0]
    for planes in widths:
        for _ in range(blocks):
            conv += 9 * in_planes * planes + 9 * planes * planes
            bn += 2 * (2 * planes)
            in_planes = planes
    head_params = widths[-1] * n_classes + (n_classes if head == "linear" else 0)
    return conv + bn + head_params


def test_resnet32_parameter_count():
    n = sum(p.numel() for p in ResNet32(10).parameters())
    assert n == _resnet_param_count(10) == 464_154
    assert 0.455e6 < n < 0.465e6
    n_cos = sum(p.numel() for p in ResNet32(100, head="cosine").parameters())
    assert n_cos == _resnet_param_count(100, head="cosine")
    n_gray = sum(p.numel() for p in ResNet32(10, in_channels=1, blocks_per_stage=3).parameters())
    assert n_gray == _resnet_param_count(10, in_channels=1, blocks=3)


class _RefBlock(nn.Module):
    # Independent re-statement of the reference BasicBlock (option A).
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.pad = cout // 4 if (stride != 1 or cin != cout) else None

    def forward(self, x):
        out = self.b2(self.c2(F.relu(self.b1(self.c1(x)))))
        sc = x if self.pad is None else F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, self.pad, self.pad))
        return F.relu(out + sc)


class _RefResNet32(nn.Module):
    def __init__(self, n_classes):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(16)
        blocks, cin = [], 16
        for cout, stride in [(16, 1), (32, 2), (64, 2)]:
            for b in range(5):
                blocks.append(_RefBlock(cin, cout, stride if b == 0 else 1))
                cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.linear = nn.Linear(64, n_classes)

    def forward(self, x):
        out = self.blocks(F.relu(self.bn(self.conv(x))))
        out = F.avg_pool2d(out, out.size()[3])
        return self.linear(out.view(out.size(0), -1))


def test_resnet32_matches_reference_architecture():
    torch.manual_seed(0)
    ours, ref = ResNet32(10), _RefResNet32(10)
    ours_state, ref_state = ours.state_dict(), ref.state_dict()
    assert [v.shape for v in ours_state.values()] == [v.shape for v in ref_state.values()]
    ref.load_state_dict(dict(zip(ref_state, ours_state.values(), strict=True)))
    x = torch.randn(4, 3, 32, 32)
    ours.train(), ref.train()
    assert torch.allclose(ours(x), ref(x), atol=1e-5)
    ours.eval(), ref.eval()
    assert torch.allclose(ours(x), ref(x), atol=1e-5)


def test_resnet32_shapes_reshape_and_channels_last():
    torch.manual_seed(0)
    net = ResNet32(7).eval()
    x32 = torch.randn(2, 3, 32, 32)
    assert net(x32).shape == (2, 7)
    assert net(torch.randn(2, 3, 8, 8)).shape == (2, 7)
    with torch.no_grad():
        expected = net(x32)
        assert torch.allclose(net(x32.to(memory_format=torch.channels_last)), expected, atol=1e-5)
        net_cl = ResNet32(7).eval()
        net_cl.load_state_dict(net.state_dict())
        net_cl = net_cl.to(memory_format=torch.channels_last)
        assert torch.allclose(
            net_cl(x32.to(memory_format=torch.channels_last)), expected, atol=1e-5
        )

    digits = ResNet32(10, input_shape=(1, 8, 8)).eval()
    assert digits.in_channels == 1
    x = torch.randn(5, 1, 8, 8)
    with torch.no_grad():
        assert torch.equal(digits(x.reshape(5, 64)), digits(x))
        assert torch.equal(digits(x.reshape(5, 8, 8)), digits(x))


def test_resnet32_input_errors():
    with pytest.raises(ValueError, match="input_shape=\\(C, H, W\\)"):
        ResNet32(3)(torch.randn(2, 3 * 8 * 8))
    with pytest.raises(ValueError, match="must have 64 features per row"):
        ResNet32(3, input_shape=(1, 8, 8))(torch.randn(2, 65))
    with pytest.raises(ValueError, match=r"expects images of shape \(n_samples, 3, H, W\)"):
        ResNet32(3)(torch.randn(2, 1, 8, 8))
    with pytest.raises(ValueError, match="does not match input_shape"):
        ResNet32(3, in_channels=3, input_shape=(1, 8, 8))


def test_mlp_flattens_and_checks_width():
    torch.manual_seed(0)
    net = MLP(3 * 4 * 4, 2, hidden_sizes=(8,)).eval()
    x = torch.randn(3, 3, 4, 4)
    with torch.no_grad():
        assert torch.equal(net(x), net(x.reshape(3, -1)))
        assert torch.equal(net(x.to(memory_format=torch.channels_last)), net(x))
    with pytest.raises(ValueError, match="built for 48 input features"):
        net(torch.randn(3, 47))


def test_mlp_structure():
    net = MLP(5, 3, hidden_sizes=(8, 4), dropout=0.2, activation="gelu", batch_norm=False)
    kinds = [[type(m).__name__ for m in stage] for stage in net.stages]
    assert kinds == [["_FlattenInput", "Linear", "GELU", "Dropout"], ["Linear", "GELU", "Dropout"]]
    assert net.feature_dim == 4
    net = MLP(5, 3, hidden_sizes=[8])
    assert net.hidden_sizes == (8,)
    assert [type(m).__name__ for m in net.stages[0]] == [
        "_FlattenInput",
        "Linear",
        "BatchNorm1d",
        "ReLU",
    ]
    assert isinstance(MLP(5, 3, head="cosine").head, CosineLinear)


def test_cosine_linear_matches_numpy():
    torch.manual_seed(0)
    head = CosineLinear(6, 4)
    assert head.weight.shape == (6, 4)
    np.testing.assert_allclose(head.weight.detach().norm(dim=0).numpy(), 1.0, rtol=1e-5)
    x = torch.randn(9, 6) * 10
    out = head(x).detach().numpy()
    xn, w = x.numpy().astype(np.float64), head.weight.detach().numpy().astype(np.float64)
    expected = (xn / np.linalg.norm(xn, axis=1, keepdims=True)) @ (
        w / np.linalg.norm(w, axis=0, keepdims=True)
    )
    np.testing.assert_allclose(out, expected, atol=1e-6)
    assert np.all(out <= 1 + 1e-6) and np.all(out >= -1 - 1e-6)
    assert not any(name == "bias" for name, _ in head.named_parameters())


def test_make_head_and_reset_head():
    assert isinstance(make_head("linear", 8, 3), nn.Linear)
    assert isinstance(make_head("cosine", 8, 3), CosineLinear)
    with pytest.raises(ValueError, match=r"'kind' parameter of make_head must be a str among"):
        make_head("softmax", 8, 3)
    net = MLP(4, 3, hidden_sizes=(8,), head="cosine")
    before = net.head.weight.detach().clone()
    body = net.stages[0][1].weight.detach().clone()
    reset_head(net)
    assert not torch.equal(before, net.head.weight)
    assert torch.equal(body, net.stages[0][1].weight)


@pytest.mark.parametrize(
    "factory,message",
    [
        (
            lambda: MLP(4, 2, dropout=1.5),
            "The 'dropout' parameter of MLP must be a float in the range [0.0, 1.0). "
            "Got 1.5 instead.",
        ),
        (
            lambda: MLP(0, 2),
            "The 'n_features' parameter of MLP must be an int in the range [1, inf). "
            "Got 0 instead.",
        ),
        (
            lambda: MLP(4, 2.0),
            "The 'n_classes' parameter of MLP must be an int in the range [1, inf). "
            "Got 2.0 instead.",
        ),
        (
            lambda: MLP(4, 2, hidden_sizes=(8, 0)),
            "The 'hidden_sizes' parameter of MLP must be a tuple of int in the range "
            "[1, inf). Got (8, 0) instead.",
        ),
        (
            lambda: MLP(4, 2, hidden_sizes=16),
            "The 'hidden_sizes' parameter of MLP must be a tuple of int in the range "
            "[1, inf). Got 16 instead.",
        ),
        (
            lambda: MLP(4, 2, batch_norm="yes"),
            # numpy 2 names numpy.bool, numpy 1 numpy.bool_
            "The 'batch_norm' parameter of MLP must be an instance of 'bool' or an instance "
            "of 'numpy.bool",
        ),
        (
            lambda: MLP(4, 2, activation="swish"),
            "The 'activation' parameter of MLP must be a str among {",
        ),
        (
            lambda: MLP(4, 2, head="softmax"),
            "The 'head' parameter of MLP must be a str among {",
        ),
        (
            lambda: ResNet32(10, head="arc"),
            "The 'head' parameter of ResNet32 must be a str among {",
        ),
        (
            lambda: ResNet32(10, input_shape=(3, 32)),
            "The 'input_shape' parameter of ResNet32 must be None or a tuple of length 3 of "
            "int in the range [1, inf). Got (3, 32) instead.",
        ),
        (
            lambda: ResNet32(10, widths=(32, 16)),
            "The 'widths' parameter of ResNet32 must be a non-empty, non-decreasing",
        ),
        (
            lambda: ResNet32(10, blocks_per_stage=0),
            "The 'blocks_per_stage' parameter of ResNet32 must be an int in the range "
            "[1, inf). Got 0 instead.",
        ),
        (
            lambda: CosineLinear(0, 3),
            "The 'in_features' parameter of CosineLinear must be an int in the range "
            "[1, inf). Got 0 instead.",
        ),
    ],
)
def test_invalid_arguments(factory, message):
    with pytest.raises(ValueError) as excinfo:
        factory()
    assert str(excinfo.value).startswith(message)
    assert isinstance(excinfo.value, InvalidParameterError)
