"""The tabular backbone (``module="tabular"``): preprocessing, protocol, every method."""

import pickle
import warnings

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback
from torch.utils.data import TensorDataset

from sklearn_imbalance_dl import ImbalancedNetClassifier
from sklearn_imbalance_dl._validation import InvalidParameterError
from sklearn_imbalance_dl.callbacks import ClassDiagnostics
from sklearn_imbalance_dl.callbacks._diagnostics import GRAD_NORM_KEY
from sklearn_imbalance_dl.datasets import load_digits_lt
from sklearn_imbalance_dl.modules import CosineLinear, TabularNet, forward_staged
from sklearn_imbalance_dl.registry import lookup
from tests._combinations import (
    PAIRWISE,
    SHORT_RETRAINING,
    SHORT_RUN_PHASES,
    check_trained,
    fit_combination,
)

SMALL = {"module": "tabular", "module__hidden_sizes": (16, 16), "module__n_frequencies": 4}


@pytest.fixture(scope="module")
def tiny_digits():
    X, y, _, _ = load_digits_lt(imbalance_ratio=10, test_per_class=50)
    return X[::4], y[::4]


def _numpy_scaling(X):
    """Independent RealMLP robust scaling + smooth clip, one column at a time."""
    out = np.empty_like(X, dtype=np.float64)
    for j in range(X.shape[1]):
        col = X[:, j].astype(np.float64)
        med = np.median(col)
        iqr = np.percentile(col, 75) - np.percentile(col, 25)
        if iqr == 0:
            iqr = (col.max() - col.min()) / 2
        z = (X[:, j] - med) / iqr if iqr > 0 else np.zeros(len(col))
        out[:, j] = z / np.sqrt(1 + (z / 3) ** 2)
    return out


def test_preprocessing_matches_numpy():
    rng = np.random.default_rng(0)
    X = np.column_stack(
        [
            rng.normal(5, 3, 301),  # ordinary
            rng.lognormal(0, 2, 301),  # heavy tail: clipped smoothly
            np.where(rng.random(301) < 0.9, 1.0, rng.normal(0, 10, 301)),  # IQR 0
            np.full(301, 7.0),  # constant: maps to 0
        ]
    ).astype(np.float32)
    net = TabularNet(4, 3)
    net.fit_preprocessing(torch.from_numpy(X))
    stage = net.stages[0]
    from sklearn_imbalance_dl.modules._tabular import robust_scale_smooth_clip

    got = robust_scale_smooth_clip(torch.from_numpy(X), stage.median, stage.factor).numpy()
    np.testing.assert_allclose(got, _numpy_scaling(X), atol=1e-5)
    assert stage.factor[3] == 0
    assert np.abs(got).max() < 3


@pytest.mark.parametrize("preprocessing", ["robust", "standard"])
def test_scaling_of_subnormal_values_stays_finite(preprocessing):
    # A column spread over float32's subnormal numbers (below about 3e-39): 1 / spread
    # overflows float32, and inf * 0 at the median made the inputs NaN.
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(0, 1e-39, 200), rng.normal(size=200)]).astype(np.float32)
    net = TabularNet(2, 2, hidden_sizes=(8,), preprocessing=preprocessing).eval()
    net.fit_preprocessing(torch.from_numpy(X))
    stage = net.stages[0]
    assert torch.isfinite(stage.factor).all()
    features = stage.features(torch.from_numpy(X)).detach()
    assert torch.isfinite(features).all()
    # The column still reads as a spread of values, in its order.
    assert features[:, 0].std() > 0.1
    order = np.argsort(X[:, 0], kind="stable")
    assert (features[order, 0].diff() >= 0).all()
    assert torch.isfinite(net(torch.from_numpy(X))).all()


def test_standard_preprocessing_matches_numpy():
    rng = np.random.default_rng(1)
    X = np.column_stack([rng.normal(5, 3, 200), np.full(200, 2.0)]).astype(np.float32)
    net = TabularNet(2, 2, preprocessing="standard", embedding="none").eval()
    net.fit_preprocessing(torch.from_numpy(X))
    stage = net.stages[0]
    x = torch.from_numpy(X)
    got = (stage.features(x) / (6.0 * stage.scale)).detach().numpy()
    expected = np.column_stack([(X[:, 0] - X[:, 0].mean()) / X[:, 0].std(), np.zeros(200)])
    np.testing.assert_allclose(got, expected, atol=1e-4)


def test_batch_norm_after_every_hidden_linear():
    net = TabularNet(4, 3, hidden_sizes=(8, 6), n_members=2, batch_norm=True)
    norms = [m for m in net.modules() if isinstance(m, torch.nn.BatchNorm1d)]
    assert [m.num_features for m in norms] == [16, 12]
    assert not any(
        isinstance(m, torch.nn.BatchNorm1d) for m in TabularNet(4, 3, batch_norm=False).modules()
    )


def test_estimator_learns_the_scaling_at_fit(tiny_digits):
    X, y = tiny_digits
    X = X * 1000 + 50  # a scaler in front is not needed
    clf = ImbalancedNetClassifier(max_epochs=1, random_state=0, **SMALL).fit(X, y)
    stage = clf.net_.module_.stages[0]
    np.testing.assert_allclose(stage.median.numpy(), np.median(X, axis=0), rtol=1e-5)


@pytest.mark.parametrize("n_members", [1, 3])
@pytest.mark.parametrize("embedding", ["periodic", "none"])
def test_forward_equals_staged_forward(n_members, embedding):
    net = TabularNet(6, 4, hidden_sizes=(8, 8, 5), n_members=n_members, embedding=embedding)
    net.fit_preprocessing(torch.randn(50, 6))
    net.eval()
    x = torch.randn(7, 6)
    logits, h = forward_staged(net, x)
    torch.testing.assert_close(logits, net(x))
    assert h.shape == (7, n_members * 5) and net.feature_dim == n_members * 5
    assert len(net.stages) == 3


def test_ensemble_output_is_mean_of_member_heads():
    net = TabularNet(3, 2, hidden_sizes=(4,), n_members=2, embedding="none").eval()
    x = torch.randn(5, 3)
    _, h = forward_staged(net, x)
    a, b = net.head.members
    torch.testing.assert_close(net(x), (a(h[:, :4]) + b(h[:, 4:])) / 2)


def test_members_differ_by_their_adapters():
    # 12 features: two members draw the same random signs with probability 2**-12
    # (1/8 with 3 features), and seeded.
    torch.manual_seed(0)
    net = TabularNet(12, 2, hidden_sizes=(4,), n_members=2, embedding="none").eval()
    assert not torch.equal(net.stages[0].adapter[0], net.stages[0].adapter[1])
    h = net.stages[0](torch.randn(5, 12))
    assert not torch.allclose(h[:, :4], h[:, 4:])


@pytest.mark.parametrize(
    "param, value",
    [
        ("hidden_sizes", ()),
        ("dropout", 1.0),
        ("embedding", "plr"),
        ("n_members", 0),
        ("activation", "tanh2"),
        ("head", "arc"),
        ("embedding_dim", 1),
        ("frequency_scale", 0.0),
        ("n_categories", (3, -1)),
        ("max_one_hot", 0),
        ("category_dim", 0),
    ],
)
def test_invalid_parameters_are_rejected(param, value):
    with pytest.raises(InvalidParameterError, match=f"'{param}' parameter of TabularNet"):
        TabularNet(4, 3, **{param: value})


def test_categorical_columns_are_one_hot_or_embedded():
    """Codes (last columns) become one-hot vectors or embedding rows; numbers are scaled."""
    torch.manual_seed(0)
    net = TabularNet(4, 2, n_categories=(2, 12), max_one_hot=3, category_dim=5).eval()
    stage = net.stages[0]
    assert stage.n_numeric == 2 and stage.linear.in_features == 2 + 3 + 5
    rng = np.random.default_rng(0)
    numbers = rng.normal(3, 2, (50, 2))
    codes = np.column_stack([rng.integers(0, 4, 50), rng.integers(0, 14, 50)])
    X = torch.as_tensor(np.column_stack([numbers, codes]), dtype=torch.float32)
    net.fit_preprocessing(X)
    np.testing.assert_allclose(stage.median.numpy(), np.median(numbers, axis=0), rtol=1e-5)
    with torch.no_grad():
        got = stage.features(X).numpy()
    # Column 0 (2 categories): slots for the 2 categories and missing; 3 (unseen) is 0.
    expected_one_hot = np.zeros((50, 3))
    seen = codes[:, 0] < 3
    expected_one_hot[np.flatnonzero(seen), codes[seen, 0]] = 1
    np.testing.assert_array_equal(got[:, 2:5], expected_one_hot)
    # Column 1 (12 categories): embedding rows; row 13 (unseen) is the zero padding row.
    table = stage.categories.embedding.weight.detach().numpy()
    np.testing.assert_array_equal(got[:, 5:], table[codes[:, 1]])
    assert not table[13].any()
    scaled = _numpy_scaling(numbers.astype(np.float32))
    np.testing.assert_allclose(got[:, :2] / (6.0 * stage.scale.detach().numpy()), scaled, atol=1e-5)


def test_several_categorical_columns_are_encoded_as_each_column_alone():
    """One-hot and embedded columns interleaved: the output is each column's encoding
    side by side (one-hot columns first), each embedded column's rows start as an
    ``nn.Embedding`` of its own would, unseen and out-of-range codes give zeros, and
    their zero row gets no gradient."""
    n_categories, dim = (2, 12, 3, 20), 4
    torch.manual_seed(0)
    own = [torch.nn.Embedding(n + 2, dim, padding_idx=n + 1) for n in (12, 20)]
    torch.manual_seed(0)
    categories = TabularNet(4, 2, n_categories=n_categories, max_one_hot=4, category_dim=dim)
    categories = categories.stages[0].categories
    assert categories.one_hot == [0, 2] and categories.embedded == [1, 3]
    rng = np.random.default_rng(0)
    codes = np.column_stack([rng.integers(0, n + 2, 200) for n in n_categories])
    codes[:3] = [-1, 99, 7, 22]  # out of range: read as unseen
    expected = []
    for j in (0, 2):
        n = n_categories[j]
        seen = (codes[:, j] >= 0) & (codes[:, j] <= n)
        expected.append(np.where(seen[:, None], codes[:, [j]] == np.arange(n + 1), 0))
    for j, embedding in zip((1, 3), own):
        n = n_categories[j]
        seen = (codes[:, j] >= 0) & (codes[:, j] <= n)
        rows = embedding.weight.detach().numpy()[np.where(seen, codes[:, j], n + 1)]
        expected.append(rows)
    got = categories(torch.as_tensor(codes, dtype=torch.float32))
    np.testing.assert_array_equal(got.detach().numpy(), np.hstack(expected))
    got.sum().backward()
    assert not categories.embedding.weight.grad[-1].any()  # the unseen row


def test_a_column_of_max_one_hot_values_is_one_hot_and_one_more_is_embedded():
    # max_one_hot counts the missing value: 8 categories + missing = 9 values (one-hot),
    # 9 categories + missing = 10 (embedded).
    net = TabularNet(3, 2, n_categories=(8, 9), max_one_hot=9, category_dim=5)
    stage = net.stages[0]
    assert stage.categories.one_hot == [0] and stage.categories.embedded == [1]
    assert stage.linear.in_features == 1 + 9 + 5


def test_periodic_embedding_is_the_value_and_a_linear_map_of_its_cosines():
    # Per feature: [x, cos(2 pi x w + b) @ W + c], x after the learnable scale.
    torch.manual_seed(0)
    net = TabularNet(
        2, 2, embedding="periodic", n_frequencies=3, embedding_dim=4, preprocessing="none"
    ).eval()
    stage = net.stages[0]
    with torch.no_grad():
        stage.scale.uniform_(0.1, 0.3)
    x = torch.randn(5, 2)
    with torch.no_grad():
        got = stage.features(x).reshape(5, 2, 4).numpy()
    params = {k: v.detach().numpy().astype(np.float64) for k, v in stage.named_parameters()}
    scaled = x.numpy().astype(np.float64) * 6.0 * params["scale"]
    for f in range(2):
        cosines = np.cos(
            2 * np.pi * scaled[:, f, None] * params["frequencies"][f] + params["phases"][f]
        )
        embedded = cosines @ params["emb_weight"][f] + params["emb_bias"][f]
        expected = np.column_stack([scaled[:, f], embedded])
        np.testing.assert_allclose(got[:, f], expected, rtol=1e-5, atol=1e-6)


def test_more_categorical_columns_than_features_is_refused():
    with pytest.raises(ValueError, match="n_categories for 3 columns but n_features=2"):
        TabularNet(2, 2, n_categories=(2, 2, 2))


def test_wrong_width_fails_clearly():
    net = TabularNet(4, 3)
    with pytest.raises(ValueError, match="built for 4 input features"):
        net(torch.randn(2, 5))


def test_registered_and_cosine_head_for_ldam(tiny_digits):
    assert lookup("module", "tabular") is TabularNet
    X, y = tiny_digits
    clf = ImbalancedNetClassifier(loss="ldam", max_epochs=1, random_state=0, **SMALL).fit(X, y)
    assert isinstance(clf.net_.module_.head, CosineLinear)
    clf = ImbalancedNetClassifier(
        loss="cri", max_epochs=1, random_state=0, module__n_members=2, **SMALL
    ).fit(X, y)
    assert all(isinstance(m, CosineLinear) for m in clf.net_.module_.head.members)


# ----------------------------------------------------------------------------- methods
@pytest.mark.parametrize("loss, schedule, mixing", PAIRWISE)
def test_valid_combinations_train_on_the_tabular_net(tiny_digits, loss, schedule, mixing):
    X, y = tiny_digits
    params = dict(loss=loss, schedule=schedule, mixing=mixing, **SHORT_RUN_PHASES.get(schedule, {}))
    params.update(SHORT_RETRAINING.get(schedule, {}))
    clf = ImbalancedNetClassifier(max_epochs=2, batch_size=32, random_state=0, **SMALL, **params)
    check_trained(fit_combination(clf, X, y, loss, schedule), X, 2, schedule)


@pytest.mark.parametrize("layer", ["input", 1, "penultimate"])
@pytest.mark.parametrize("mixing", ["mixup", "remix", "mfw"])
def test_mixing_at_every_layer_with_members(tiny_digits, mixing, layer):
    X, y = tiny_digits
    clf = ImbalancedNetClassifier(
        mixing=mixing,
        mixing__layer=layer,
        loss="ldam",
        schedule="drw",
        **SHORT_RUN_PHASES["drw"],
        max_epochs=2,
        batch_size=32,
        random_state=0,
        module__n_members=2,
        **SMALL,
    ).fit(X, y)
    assert np.all(np.isfinite(clf.predict_proba(X)))


def test_crt_retrains_only_the_ensemble_head(tiny_digits):
    X, y = tiny_digits
    clf = ImbalancedNetClassifier(
        loss="ce", schedule="crt", schedule__epochs=1, max_epochs=1, random_state=0,
        module__n_members=2, **SMALL,
    ).fit(X, y)  # fmt: skip
    assert np.all(np.isfinite(clf.predict_proba(X)))


def test_class_diagnostics_on_the_tabular_net(tiny_digits):
    X, y = tiny_digits
    clf = ImbalancedNetClassifier(
        max_epochs=2, callbacks=[ClassDiagnostics()], random_state=0, **SMALL
    ).fit(X, y)
    grad_norms = clf.net_.history[-1, GRAD_NORM_KEY]
    assert len(grad_norms) == len(np.unique(y))
    assert np.all(np.isfinite(grad_norms)) and max(grad_norms) > 0


# ----------------------------------------------------------------------------- state
def test_reproducible_and_pickles_to_the_same_predictions(tiny_digits):
    X, y = tiny_digits
    params = dict(loss="logit_adjusted", max_epochs=3, random_state=3, **SMALL)
    a = ImbalancedNetClassifier(**params, module__n_members=2).fit(X, y)
    b = ImbalancedNetClassifier(**params, module__n_members=2).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    c = ImbalancedNetClassifier(**{**params, "random_state": 4}, module__n_members=2).fit(X, y)
    assert not np.array_equal(a.predict_proba(X), c.predict_proba(X))
    loaded = pickle.loads(pickle.dumps(a))
    assert str(loaded.net_.device) == "cpu" or loaded.net_.device == "auto"
    np.testing.assert_array_equal(loaded.predict_proba(X), a.predict_proba(X))
    stage = loaded.net_.module_.stages[0]
    np.testing.assert_allclose(stage.median.numpy(), np.median(X, axis=0), rtol=1e-5)


def test_beats_chance_clearly_on_long_tailed_digits():
    X, y, X_test, y_test = load_digits_lt(imbalance_ratio=10, test_per_class=50)
    clf = ImbalancedNetClassifier(
        module="tabular", loss="logit_adjusted", max_epochs=20, random_state=0
    ).fit(X, y)
    assert (clf.predict(X_test) == y_test).mean() > 0.8


def _decays(clf):
    """(weight decay, parameter names) of each optimizer group, in order."""
    names = {id(p): n for n, p in clf.net_.module_.named_parameters()}
    return [
        (g["weight_decay"], sorted(names[id(p)] for p in g["params"]))
        for g in clf.net_.optimizer_.param_groups
    ]


def test_auto_weight_decay_spares_the_head_and_caps_the_total():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, 4)).astype(np.float32)
    y = (X[:, 0] > 0.8).astype(int)
    short = ImbalancedNetClassifier(max_epochs=2, random_state=0).fit(X[:300], y[:300])
    (head_decay, head), (body_decay, body) = _decays(short)
    assert head == ["head.bias", "head.weight"] and "stages.0.linear.weight" in body
    assert (head_decay, body_decay) == (1e-4, 10.0)

    # 3 epochs of 125 steps: the cosine rates sum to 1e-3 * 125 * (1 + 0.75 + 0.25), so
    # the decay that shrinks a weight by 1/e over the fit is 4, under 10.
    long = ImbalancedNetClassifier(max_epochs=3, batch_size=16, random_state=0).fit(X, y)
    rates = sum(0.5 * (1 + np.cos(np.pi * e / 3)) for e in range(3))
    assert _decays(long)[1][0] == pytest.approx(1 / (1e-3 * 125 * rates))
    assert _decays(long)[1][0] == pytest.approx(4.0)


def test_weight_decay_auto_other_modules_and_losses_a_number_and_user_groups():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4)).astype(np.float32)
    y = (X[:, 0] > 0.5).astype(int)
    mlp = ImbalancedNetClassifier(module="mlp", max_epochs=1).fit(X, y)
    assert [d for d, _ in _decays(mlp)] == [1e-4]
    ldam = ImbalancedNetClassifier(loss="ldam", max_epochs=1).fit(X, y)
    assert [d for d, _ in _decays(ldam)] == [1e-4]
    uniform = ImbalancedNetClassifier(weight_decay=0.5, max_epochs=1).fit(X, y)
    assert [d for d, _ in _decays(uniform)] == [0.5]
    # The cap is AdamW's (its decay is decoupled from momentum); under SGD's momentum the
    # same decay would shrink the weights about ten times further.
    for optimizer in ("sgd", "sam"):
        other = ImbalancedNetClassifier(optimizer=optimizer, max_epochs=1).fit(X, y)
        assert [d for d, _ in _decays(other)] == [1e-4]
    # The user's groups come first; the head keeps its 1e-4, the rest the auto decay.
    first = ImbalancedNetClassifier(
        max_epochs=1, optimizer__param_groups=[("stages.0.*", {"weight_decay": 0.0})]
    ).fit(X, y)
    (d0, stage0), (dh, head), (db, rest) = _decays(first)
    assert (d0, dh, db) == (0.0, 1e-4, 10.0)
    assert all(n.startswith("stages.0.") for n in stage0) and head == ["head.bias", "head.weight"]
    assert rest and all(n.startswith("stages.1.") for n in rest)


def test_a_user_group_without_a_decay_takes_the_auto_decay_of_its_parameters():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, 4)).astype(np.float32)
    y = (X[:, 0] > 0.8).astype(int)
    params = {"max_epochs": 3, "batch_size": 16, "random_state": 0}
    plain = ImbalancedNetClassifier(**params).fit(X, y)
    # A head group that sets only the rate it already had: the head keeps 1e-4, and the
    # model is the one without the group.
    same = ImbalancedNetClassifier(
        **params, optimizer__param_groups=[("head.*", {"lr": 1e-3})]
    ).fit(X, y)
    assert _decays(same)[0] == (1e-4, ["head.bias", "head.weight"])
    np.testing.assert_array_equal(same.predict_proba(X), plain.predict_proba(X))
    # A body group at twice the rate: its decay is capped at its own rate (half the 4.0
    # of the rest, so that it still shrinks a weight by at most 1/e over the fit).
    fast = ImbalancedNetClassifier(
        **params, optimizer__param_groups=[("stages.0.*", {"lr": 2e-3})]
    ).fit(X, y)
    (d0, _), _, (d_rest, _) = _decays(fast)
    assert d_rest == pytest.approx(4.0) and d0 == pytest.approx(2.0)
    # A group of head and body parameters alike must say which decay it wants.
    with pytest.raises(ValueError, match=r"the pattern '\*' takes parameters of the head and"):
        ImbalancedNetClassifier(**params, optimizer__param_groups=[("*", {"lr": 1e-3})]).fit(X, y)


class _TotalDecay(Callback):
    """Sums ``lr * weight_decay`` over the training steps for each parameter a step
    updates (one that got a gradient): AdamW's decay alone shrinks it by about
    ``exp(-sum)``."""

    def on_train_begin(self, net, **kwargs):
        self.totals = {}

    def on_batch_end(self, net, training=False, **kwargs):
        if not training:
            return
        names = {id(p): n for n, p in net.module_.named_parameters()}
        for group in net.optimizer_.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    step = group["lr"] * group["weight_decay"]
                    self.totals[names[id(p)]] = self.totals.get(names[id(p)], 0.0) + step


def test_the_auto_decay_cap_counts_the_rates_of_swa_window():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4)).astype(np.float32)
    y = (X[:, 0] > 0.8).astype(int)
    # 19 steps an epoch; from epoch 4 of 8 SWA moves the rate to 5e-2, 50 times the
    # schedule's, and a body group trains at twice the rest's rate before that.
    clf = ImbalancedNetClassifier(
        max_epochs=8,
        batch_size=16,
        random_state=0,
        weight_averaging="swa",
        weight_averaging__start=0.5,
        weight_averaging__lr=5e-2,
        weight_averaging__anneal_epochs=2,
        optimizer__param_groups=[("stages.0.*", {"lr": 2e-3})],
        callbacks=[("total_decay", _TotalDecay())],
    ).fit(X, y)
    totals = dict(clf.net_.callbacks_)["total_decay"].totals
    body = {name: total for name, total in totals.items() if not name.startswith("head.")}
    assert {name.split(".")[1] for name in body} == {"0", "1"}  # both stages trained
    # Capped: the decay alone shrinks every body weight by at most 1/e over the fit.
    assert all(total == pytest.approx(1.0) for total in body.values())
    assert totals["head.weight"] < 1e-3


def test_mislas_weight_scale_decays_as_the_head_under_the_auto_decay():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4)).astype(np.float32)
    y = (X[:, 0] > 0.5).astype(int)
    clf = ImbalancedNetClassifier(
        max_epochs=2, schedule="mislas", schedule__epochs=1, random_state=0
    ).fit(X, y)
    # The scale is the classifier's: not the body's strong decay at stage 2's rates.
    (head_decay, head), (body_decay, _), (scale_decay, scale) = _decays(clf)
    assert head == ["head.head.bias", "head.head.weight"] and scale == ["head.scale"]
    assert (head_decay, body_decay, scale_decay) == (1e-4, 10.0, 1e-4)


def test_fit_preprocessing_refuses_missing_values():
    net = TabularNet(2, 3, hidden_sizes=(4,))
    X = torch.randn(50, 2)
    X[0, 0] = float("nan")
    with pytest.raises(ValueError, match=r"fit_preprocessing got NaN or infinite inputs"):
        net.fit_preprocessing(X)


def test_category_codes_outside_the_categories_are_unseen_in_both_encodings():
    torch.manual_seed(0)
    # 3 categories: one-hot; 20: embedded. Codes n (missing) and n + 1 (unseen).
    net = TabularNet(3, 2, hidden_sizes=(8,), n_categories=(3, 20)).eval()

    def out(one_hot_code, embedded_code):
        return net(torch.tensor([[0.0, one_hot_code, embedded_code]]))

    for outside in (-1.0, 99.0):
        torch.testing.assert_close(out(outside, 0.0), out(4.0, 0.0))
        torch.testing.assert_close(out(0.0, outside), out(0.0, 21.0))
    assert not torch.equal(out(0.0, -1.0), out(0.0, 0.0))


@pytest.mark.parametrize("code", [0.5, -1.0, 5.0, np.nan])
def test_fit_refuses_category_columns_that_are_not_codes(code):
    X = np.zeros((20, 2), dtype=np.float32)
    X[:, 0] = np.arange(20)
    X[3, 1] = code  # 3 categories: codes 0 to 2, 3 missing, 4 unseen
    net = TabularNet(2, 2, hidden_sizes=(8,), n_categories=(3,))
    with pytest.raises(ValueError, match=r"column 1 \(3 categories\) holds .*whole numbers 0 to 2"):
        net.fit_preprocessing(torch.as_tensor(X))


def test_smooth_clipping_saturates_for_huge_values():
    from sklearn_imbalance_dl.modules._tabular import robust_scale_smooth_clip

    x = torch.tensor([[1.0], [1e10], [1e19], [1e20], [1e30], [-1e30]])
    out = robust_scale_smooth_clip(x, torch.zeros(1), torch.ones(1)).ravel()
    assert torch.all(out[1:5] > 2.99) and out[5] < -2.99
    assert torch.all(out[1:5].diff() >= 0)


def test_fit_on_a_dataset_warns_that_the_scaling_is_not_learned():
    # A Dataset's items are not read for the robust scaling: raw values of about 1000
    # would all saturate the clipping, and the model would be at chance without a word.
    X, y = TensorDataset(torch.randn(40, 3) * 100 + 1000), np.repeat([0, 1], 20)

    def fit(preprocessing):
        params = dict(SMALL, module__preprocessing=preprocessing)
        ImbalancedNetClassifier(max_epochs=1, random_state=0, **params).fit(X, y)

    message = "TabularNet learns .* torch Dataset are not read for it"
    with pytest.warns(UserWarning, match=f"{message}.*values beyond a few units all read alike"):
        fit("robust")
    with pytest.warns(UserWarning, match=f"{message}.*module__preprocessing='none'"):
        fit("standard")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=message)
        fit("none")  # reads its inputs as they are


class _LearnsItsScaling(torch.nn.Module):
    def __init__(self, n_features, n_classes):
        super().__init__()
        self.linear = torch.nn.Linear(n_features, n_classes)

    def fit_preprocessing(self, X):
        pass

    def forward(self, x):
        return self.linear(x)


def test_a_module_of_ones_own_that_learns_its_preprocessing_warns_once_on_a_dataset():
    X, y = TensorDataset(torch.randn(40, 3)), np.repeat([0, 1], 20)
    clf = ImbalancedNetClassifier(module=_LearnsItsScaling, max_epochs=1, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf.fit(X, y)
    told = [w for w in caught if "are not read for it" in str(w.message)]
    assert len(told) == 1 and told[0].filename == __file__
    assert str(told[0].message).startswith("_LearnsItsScaling learns its input preprocessing")
    assert "Preprocess the inputs in the Dataset, or pass an array." in str(told[0].message)


def test_mislas_retrains_packed_members_each_on_its_own_loss():
    """Stage 2's scaled head still gives each member's logits, so the members keep
    training on their own losses (TabM's rule) instead of on their mean logit."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 4)).astype(np.float32)
    y = (X[:, 0] > 0.5).astype(int)
    clf = ImbalancedNetClassifier(
        max_epochs=1, schedule="mislas", schedule__epochs=1, module__n_members=3,
        random_state=0,
    ).fit(X, y)  # fmt: skip
    net = clf.net_
    net.module_.eval()
    members = net.forward_mixed(torch.as_tensor(X[:5]), None)
    assert members.shape == (3, 5, 2)
    torch.testing.assert_close(members.mean(0), net.module_(torch.as_tensor(X[:5])))
    # A head without members exposes none through the wrapper.
    plain = ImbalancedNetClassifier(
        max_epochs=1, schedule="mislas", schedule__epochs=1, random_state=0
    ).fit(X, y)
    assert not hasattr(plain.net_.module_.head, "member_logits")
