"""ImbalancedSampler: drawn class frequencies, per-epoch re-draws, reproducibility, refusals."""

import runpy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from imblearn.over_sampling import SMOTE, RandomOverSampler
from imblearn.under_sampling import NearMiss, RandomUnderSampler
from sklearn.utils._param_validation import InvalidParameterError
from skorch.callbacks import Callback
from torch.utils.data import DataLoader, TensorDataset

from sklearn_imbalance_dl import ImbalancedNetClassifier
from sklearn_imbalance_dl.sampling import ImbalancedSampler, SMOTEWithFallback
from sklearn_imbalance_dl.sampling._sampler import IndexSampler

COUNTS = np.array([400, 100, 20, 5])
Y = np.repeat(np.arange(len(COUNTS)), COUNTS)


def _drawn_class_counts(sampler, epochs):
    drawn = np.concatenate([np.fromiter(sampler, dtype=int) for _ in range(epochs)])
    return np.bincount(Y[drawn], minlength=len(COUNTS)), len(drawn)


@pytest.mark.parametrize(
    "kind, class_weight",
    [
        # Probability of a class = n_c * w_c / sum(n_k * w_k), w_c the per-sample weight.
        ("class_balanced", 1.0 / COUNTS),
        ("sqrt", 1.0 / np.sqrt(COUNTS)),
        ("instance", np.ones(len(COUNTS))),
    ],
)
def test_class_frequencies_match_the_sampling_probabilities(kind, class_weight):
    sampler = ImbalancedSampler(Y, kind, random_state=0)
    counts, total = _drawn_class_counts(sampler, epochs=40)
    assert total == 40 * len(Y)
    p = COUNTS * class_weight / (COUNTS * class_weight).sum()
    # Each class count is binomial(total, p_c); 5 standard deviations is a safe margin
    # for a fixed seed while still rejecting a wrong exponent (sqrt vs balanced differ
    # by hundreds of std here).
    std = np.sqrt(total * p * (1 - p))
    np.testing.assert_array_less(np.abs(counts - total * p), 5 * std + 1e-9)


@pytest.mark.slow
def test_class_balanced_draws_from_more_rows_than_torch_draws_categories():
    """torch.multinomial takes at most 2**24 categories: beyond that many rows, a class
    is drawn first, then one of its rows, so that a larger table is drawn from as a small
    one is."""
    y = torch.zeros(2**24 + 2, dtype=torch.int64)
    y[::1000] = 1
    order = IndexSampler("class_balanced", y, generator=torch.Generator().manual_seed(0)).indices()
    assert len(order) == len(y)
    share = float(y[order].float().mean())
    assert 0.49 < share < 0.51


@pytest.mark.parametrize("kind", ["class_balanced", "phased"])
def test_a_table_of_millions_of_rows_is_drawn_by_the_rule(kind):
    """Below torch's category limit, one draw over the rows: their probabilities are
    summed in float64, so that with millions of rows every class still gets its share
    and the rows late in the order theirs (in float32 a row's share of 4 million rows is
    close to the rounding of the sum: the minority drew 51 %, the last majority rows 3 %
    fewer draws than the first)."""
    n = 4_000_000
    y = np.zeros(n, dtype=np.int64)
    y[-n // 100 :] = 1  # the minority last
    if kind == "phased":
        kind = torch.tensor([0.5, 0.5])  # what a phased schedule sets: balanced classes
        sampler = IndexSampler(kind, torch.as_tensor(y), generator=torch.Generator().manual_seed(0))
        order = sampler.indices()
    else:
        sampler = ImbalancedSampler(y, kind, random_state=0)
        order = torch.as_tensor(np.fromiter(sampler, dtype=np.int64, count=n))
    share = float(torch.as_tensor(y)[order].double().mean())
    assert abs(share - 0.5) < 8 * 0.5 / np.sqrt(n)  # 8 standard deviations
    draws = torch.bincount(order, minlength=n)[: n - n // 100].double()
    first, last = draws[: len(draws) // 2].mean(), draws[len(draws) // 2 :].mean()
    assert abs(float(first - last)) < 0.005  # about 0.505 each; 7 standard deviations


@pytest.mark.parametrize("kind", ["class_balanced", "sqrt", "phased"])
def test_the_two_step_draw_of_large_tables_has_the_row_draws_distribution(kind, monkeypatch):
    """Beyond torch's category limit a class, then a row of it: each row is drawn as
    often as the sampler's rule says (a class without rows never)."""
    import sklearn_imbalance_dl.sampling._sampler as sampler_module

    y = torch.tensor([0] * 60 + [2] * 30 + [3] * 10)  # class 1 has no rows
    counts = np.maximum(np.bincount(y.numpy(), minlength=4), 1).astype(float)
    # A row of class c is drawn with probability proportional to n_c ** -q (q = 1 for
    # class-balanced, 1/2 for square-root), or to p_c / n_c for class probabilities p.
    if kind == "phased":
        kind = torch.tensor([0.1, 0.3, 0.2, 0.4])
        per_row = kind.numpy() / counts
    else:
        per_row = counts ** -{"class_balanced": 1.0, "sqrt": 0.5}[kind]
    expected = per_row[y.numpy()] / per_row[y.numpy()].sum()
    monkeypatch.setattr(sampler_module, "MAX_MULTINOMIAL_CATEGORIES", 50)
    sampler = IndexSampler(kind, y, generator=torch.Generator().manual_seed(0))
    assert sampler._probabilities is None
    draws = torch.cat([sampler.indices() for _ in range(2000)])
    frequencies = np.bincount(draws.numpy(), minlength=len(y)) / len(draws)
    std = np.sqrt(expected * (1 - expected) / len(draws))
    np.testing.assert_array_less(np.abs(frequencies - expected), 5 * std + 1e-9)


def test_instance_is_a_permutation_each_epoch():
    sampler = ImbalancedSampler(Y, "instance", random_state=0)
    first, second = list(sampler), list(sampler)
    assert sorted(first) == list(range(len(Y))) == sorted(second)
    assert first != second


@pytest.mark.parametrize("kind", ["class_balanced", "sqrt", "instance", RandomUnderSampler()])
def test_redrawn_every_epoch_and_reproducible(kind):
    a = ImbalancedSampler(Y, kind, random_state=3)
    b = ImbalancedSampler(Y, kind, random_state=3)
    c = ImbalancedSampler(Y, kind, random_state=4)
    epochs_a = [list(a) for _ in range(3)]
    epochs_b = [list(b) for _ in range(3)]
    assert epochs_a == epochs_b
    assert epochs_a[0] != epochs_a[1] != epochs_a[2]
    assert list(c) != epochs_a[0]


def test_random_under_sampler_picks_the_smallest_count_of_each_class_per_epoch():
    rus = RandomUnderSampler()
    sampler = ImbalancedSampler(Y, rus, random_state=0)
    seen_majority = set()
    for _ in range(5):
        assert len(sampler) == len(COUNTS) * COUNTS.min()
        order = np.fromiter(sampler, dtype=int)
        assert len(order) == len(COUNTS) * COUNTS.min()
        assert len(set(order)) == len(order)  # under-sampling draws without replacement
        np.testing.assert_array_equal(np.bincount(Y[order]), [COUNTS.min()] * len(COUNTS))
        seen_majority |= set(order[Y[order] == 0])
    # New majority rows each epoch: 5 epochs of 5 rows cover more than one epoch's 5.
    assert len(seen_majority) > COUNTS.min()
    assert rus.get_params()["random_state"] is None  # the user's sampler is not changed


def test_random_over_sampler_brings_every_class_to_the_largest():
    sampler = ImbalancedSampler(Y, RandomOverSampler(), random_state=0)
    order = np.fromiter(sampler, dtype=int)
    np.testing.assert_array_equal(np.bincount(Y[order]), [COUNTS.max()] * len(COUNTS))
    # Every original row is kept, plus copies for the minority classes.
    assert set(order) == set(range(len(Y)))


def test_nearmiss_sees_the_features_given():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(len(Y), 2))
    sampler = ImbalancedSampler(Y, NearMiss(), X=X, random_state=0)
    order = np.fromiter(sampler, dtype=int)
    # NearMiss is deterministic given X (it has no random_state): the epoch is its rows.
    expected = NearMiss().fit(X, Y)
    expected.fit_resample(X, Y)
    assert sorted(order) == sorted(expected.sample_indices_)


@pytest.mark.parametrize("smote", [SMOTE(), SMOTEWithFallback()])
def test_a_sampler_that_synthesises_rows_is_refused(smote):
    with pytest.raises(InvalidParameterError, match=r"'sampler' parameter of ImbalancedSampler"):
        ImbalancedSampler(Y, smote)
    with pytest.raises(ValueError, match="Pipeline"):
        ImbalancedSampler(Y, smote)


def test_a_sampler_that_fails_on_arrays_names_the_pipeline_way_out():
    """SMOTENC with ``categorical_features="auto"`` needs a DataFrame: it fails on the
    probe, and the error says what the parameter takes and where such a sampler goes."""
    from imblearn.over_sampling import SMOTENC

    sampler = SMOTENC(categorical_features="auto")
    expected = r"failed when tried on .*pandas.DataFrame.*must pick existing rows.*Pipeline"
    with pytest.raises(ValueError, match=expected):
        ImbalancedSampler(Y, sampler)
    X = pd.DataFrame({"size": np.arange(100.0), "kind": ["a", "b"] * 50})
    y = np.repeat([0, 1], [80, 20])
    with pytest.raises(ValueError, match=expected):
        ImbalancedNetClassifier(loss="ce", sampler=sampler).fit(X, y)


def test_a_sampler_is_tried_on_the_rows_it_will_draw_from():
    """NearMiss with a class smaller than its neighbourhood fails on the training rows:
    at the start of fit, naming it, not inside the first epoch with scikit-learn's
    words alone."""
    from imblearn.under_sampling import NearMiss

    X = np.random.default_rng(0).normal(size=(60, 3))
    y = np.repeat([0, 1], [58, 2])
    clf = ImbalancedNetClassifier(loss="ce", sampler=NearMiss(n_neighbors=3), max_epochs=1)
    said = r"^NearMiss\(\) failed when tried on the training rows it would draw batches from: "
    advice = r".*n_neighbors <= n_samples_fit.*Choose parameters these rows allow"
    with pytest.raises(ValueError, match=said + advice):
        clf.fit(X, y)
    ImbalancedNetClassifier(loss="ce", sampler=NearMiss(n_neighbors=1), max_epochs=1).fit(X, y)


def test_a_strategy_the_rows_cannot_take_is_named_as_given_with_the_parameters_advice():
    """A dict of three classes cannot run on the two-class problem that tells a sampler
    which synthesises rows; when the training rows cannot take it either (a class
    smaller than the count asked for, as validation_fraction makes it), the error names
    the sampler with the user's labels and asks for other parameters: RandomUnderSampler
    picks rows."""
    y = np.repeat(np.array(["a", "b", "c"]), [50, 30, 20])
    X = np.zeros((len(y), 2))
    sampler = RandomUnderSampler(sampling_strategy={"a": 10, "b": 28, "c": 5})
    said = (
        r"^RandomUnderSampler\(sampling_strategy=\{'a': 10, 'b': 28, 'c': 5\}\) failed when "
        r"tried on the training rows it would draw batches from: .*Choose parameters these "
        r"rows allow"
    )
    with pytest.raises(ValueError, match=said) as raised:
        ImbalancedNetClassifier(
            loss="ce", sampler=sampler, validation_fraction=0.2, max_epochs=1
        ).fit(X, y)
    assert "synthesises" not in str(raised.value)
    with pytest.raises(ValueError, match=said):
        ImbalancedSampler(y[y != "b"].tolist() + ["b"] * 20, sampler)


def _recording(sampler_class):
    class Recording(sampler_class):
        seen = []

        def fit_resample(self, X, y, **params):
            self.seen.append(np.shape(X))
            return super().fit_resample(X, y, **params)

    return Recording


@pytest.mark.parametrize(
    "sampler_class, shown", [(RandomUnderSampler, (60, 1)), (NearMiss, (60, 3))]
)
def test_a_random_sampler_is_shown_row_numbers_a_nearmiss_the_features(sampler_class, shown):
    # The random samplers draw by label alone: given row numbers, not a copy of the
    # inputs at every epoch (images would be copied whole).
    X = np.random.default_rng(0).normal(size=(60, 3))
    y = np.repeat([0, 1], [50, 10])
    sampler = _recording(sampler_class)()
    ImbalancedNetClassifier(loss="ce", sampler=sampler, max_epochs=2).fit(X, y)
    assert set(type(sampler).seen[1:]) == {shown}  # after the 30-row two-class probe


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"sampler": "balanced"}, "'sampler' parameter"),
        ({"sampler": 3}, "'sampler' parameter"),
        ({"random_state": "seed"}, "'random_state' parameter"),
        ({"X": 1.5}, "'X' parameter"),
    ],
)
def test_invalid_parameters_are_named(kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        ImbalancedSampler(Y, **kwargs)


def test_features_of_the_wrong_length_are_refused():
    with pytest.raises(ValueError, match="X has 3 rows but y has 525 labels"):
        ImbalancedSampler(Y, RandomUnderSampler(), X=np.zeros((3, 2)))


def test_labels_of_any_type_and_torch_tensors():
    names = np.array(["cat", "dog", "eel", "fox"])[Y]
    by_name = list(ImbalancedSampler(names, random_state=1))
    by_code = list(ImbalancedSampler(torch.as_tensor(Y), random_state=1))
    assert by_name == by_code


def test_continuous_values_are_refused_not_drawn_as_one_class_each():
    # As the estimator refuses them: a regression target is no set of classes.
    targets = np.random.default_rng(0).normal(size=50)
    with pytest.raises(ValueError, match="y holds continuous values, not class labels"):
        ImbalancedSampler(targets)
    # Whole numbers stored as floats are class labels.
    assert ImbalancedSampler(Y.astype(float)).classes_.tolist() == [0.0, 1.0, 2.0, 3.0]


def test_in_a_dataloader_batches_carry_the_drawn_rows():
    X = torch.arange(len(Y), dtype=torch.float32)[:, None]
    dataset = TensorDataset(X, torch.as_tensor(Y))
    loader = DataLoader(dataset, sampler=ImbalancedSampler(Y, random_state=0), batch_size=64)
    assert len(loader) == int(np.ceil(len(Y) / 64))
    epochs = []
    for _ in range(2):
        rows, labels = zip(*[(xb[:, 0].long(), yb) for xb, yb in loader])
        rows, labels = torch.cat(rows).numpy(), torch.cat(labels).numpy()
        np.testing.assert_array_equal(Y[rows], labels)
        assert len(rows) == len(Y)
        epochs.append(rows)
    assert not np.array_equal(*epochs)
    # Class-balanced: the tail class (5 of 525 rows) makes up about a quarter.
    assert 0.15 < np.mean(labels == 3) < 0.35


@pytest.mark.parametrize("kind", ["class_balanced", "sqrt", "instance", RandomUnderSampler()])
def test_estimator_stream_and_own_generator_draw_the_same(kind):
    # The estimator draws from torch's global stream (generator=None), ImbalancedSampler
    # from its own generator: with the same seed the code gives the same order.
    y = torch.as_tensor(Y)
    torch.manual_seed(7)
    from_global = IndexSampler(kind, y).indices()
    own = IndexSampler(kind, y, generator=torch.Generator().manual_seed(7)).indices()
    torch.testing.assert_close(from_global, own)


def test_estimator_takes_a_sampler_without_random_state():
    # NearMiss has no random_state: the estimator re-runs it each epoch all the same.
    from sklearn_imbalance_dl import ImbalancedNetClassifier

    X = np.random.default_rng(0).normal(size=(len(Y), 4)).astype(np.float32)
    # loss="ce": the sampler alone balances (the default loss would balance twice).
    clf = ImbalancedNetClassifier(loss="ce", sampler=NearMiss(), max_epochs=2, random_state=0)
    clf.fit(X, Y)
    assert len(clf.net_.history) == 2


@pytest.mark.parametrize("sampler", [NearMiss(), RandomUnderSampler(random_state=3)])
def test_a_fitted_model_keeps_no_fitted_sampler_state(sampler):
    """The sampler is re-run on the training rows every epoch; what it learns there
    (NearMiss's neighbours index holds the training rows themselves, every sampler the
    rows it picked) is no part of the model, and would go into its pickle."""
    import pickle

    from sklearn_imbalance_dl import ImbalancedNetClassifier

    X = np.random.default_rng(0).normal(size=(len(Y), 4)).astype(np.float32)
    clf = ImbalancedNetClassifier(loss="ce", sampler=sampler, max_epochs=2, random_state=0)
    clf.fit(X, Y)
    for held in (clf.net_.sampler, pickle.loads(pickle.dumps(clf)).net_.sampler):
        assert [name for name in vars(held) if name.endswith("_")] == []
        assert held.get_params() == sampler.get_params()
    # The sampler given, re-run every epoch all the same: a second fit is the same model.
    twin = ImbalancedNetClassifier(loss="ce", sampler=sampler, max_epochs=2, random_state=0)
    np.testing.assert_array_equal(twin.fit(X, Y).predict_proba(X), clf.predict_proba(X))


@pytest.mark.slow
def test_the_pytorch_loop_example_runs(capsys):
    path = Path(__file__).resolve().parents[1] / "examples" / "plot_sampler_pytorch_loop.py"
    runpy.run_path(str(path), run_name="__main__")
    out = capsys.readouterr().out
    for name in ("shuffle", "class_balanced", "sqrt", "over-sampling"):
        assert f"{name}: balanced accuracy" in out


@pytest.mark.parametrize("labels", [np.array([1, 2, 3]), np.array(["a", "b", "c"], dtype=object)])
def test_a_sampling_strategy_names_the_users_labels(labels):
    """Batches are drawn on encoded labels; a strategy keyed by the user's labels
    (a dict, a list, a callable) is read as the user meant it."""
    y = np.repeat(labels, [50, 30, 20])
    dict_sampler = ImbalancedSampler(
        y, RandomUnderSampler(sampling_strategy={labels[0]: 10}), random_state=0
    )
    order = np.fromiter(dict_sampler, dtype=int)
    assert [int((y[order] == c).sum()) for c in labels] == [10, 30, 20]
    callable_sampler = ImbalancedSampler(
        y,
        RandomOverSampler(sampling_strategy=lambda y_: {labels[2]: int((y_ == labels[0]).sum())}),
        random_state=0,
    )
    order = np.fromiter(callable_sampler, dtype=int)
    assert [int((y[order] == c).sum()) for c in labels] == [50, 30, 50]


def test_the_estimator_draws_its_batches_by_the_users_strategy():
    y = np.repeat(np.array(["a", "b", "c"]), [50, 30, 20])
    X = np.random.default_rng(0).normal(size=(len(y), 4))
    drawn = []

    class CountBatches(Callback):
        def on_batch_begin(self, net, batch, training, **kwargs):
            if training:
                drawn.append(np.bincount(batch[1].numpy(), minlength=3))

    sampler = RandomUnderSampler(sampling_strategy={"a": 10, "b": 12})
    clf = ImbalancedNetClassifier(
        loss="ce", sampler=sampler, max_epochs=2, callbacks=[CountBatches()], random_state=0
    ).fit(X, y)
    assert list(clf.classes_) == ["a", "b", "c"]
    per_epoch = np.sum(drawn, axis=0) / 2
    assert per_epoch.tolist() == [10, 12, 20]


def test_a_strategy_naming_an_absent_class_or_a_sampler_class_is_refused():
    y = np.repeat(np.array(["a", "b"]), [30, 10])
    X = np.zeros((len(y), 2))
    strategy = RandomUnderSampler(sampling_strategy={"z": 5})
    absent = r"names the class 'z', which is not among the classes sampled: 'a', 'b'\."
    with pytest.raises(ValueError, match=absent):
        ImbalancedSampler(y, strategy)
    with pytest.raises(ValueError, match=absent):
        ImbalancedNetClassifier(loss="ce", sampler=strategy, max_epochs=1).fit(X, y)
    with pytest.raises(ValueError, match=r"sampler=RandomUnderSampler is a class; pass an inst"):
        ImbalancedNetClassifier(loss="ce", sampler=RandomUnderSampler, max_epochs=1).fit(X, y)


def test_a_callable_strategy_returning_a_label_that_is_no_class_is_refused_naming_it():
    """The callable is given the user's labels; one that returns another key (a code
    instead of a label) fails with a message that names it, not a KeyError."""
    y = np.repeat(np.array(["a", "b", "c"]), [30, 10, 5])
    X = np.zeros((len(y), 2))
    sampler = RandomOverSampler(sampling_strategy=lambda y_: {2: 30})
    absent = r"returns the class 2, which is not among the classes sampled: 'a', 'b', 'c'\."
    with pytest.raises(ValueError, match=absent):
        ImbalancedSampler(y, sampler)
    with pytest.raises(ValueError, match=absent):
        ImbalancedNetClassifier(loss="ce", sampler=sampler, max_epochs=1).fit(X, y)


def test_checking_a_sampler_leaves_numpys_global_stream_alone():
    np.random.seed(0)
    expected = np.random.rand()
    np.random.seed(0)
    ImbalancedSampler(Y, RandomUnderSampler(), random_state=0)
    assert np.random.rand() == expected


def test_smote_with_fallback_takes_object_labels_with_a_single_sample_class():
    X = np.random.default_rng(0).normal(size=(17, 2))
    y = np.array(["many"] * 10 + ["some"] * 6 + ["one"], dtype=object)
    sampler = SMOTEWithFallback(random_state=0)
    _, y_res = sampler.fit_resample(X, y)
    assert sampler.fallback_classes_ == ["one"]
    assert pd.Series(y_res).value_counts().to_dict() == {"many": 10, "some": 10, "one": 10}


def test_smote_with_fallback_refuses_labels_of_mixed_types_naming_them():
    X = np.random.default_rng(0).normal(size=(12, 2))
    y = np.array(["a"] * 7 + [1] * 2 + ["c"] + ["d"] * 2, dtype=object)
    with pytest.raises(ValueError, match="y mixes labels of types int, str"):
        SMOTEWithFallback(random_state=0).fit_resample(X, y)


def test_smote_with_fallback_refuses_a_list_of_labels_of_mixed_types():
    """numpy reads the list [1, ..., "a", "b"] as strings: the labels came back as "1",
    and 1 and "1" were resampled as one class."""
    X = np.random.default_rng(0).normal(size=(12, 2))
    for y in ([1] * 8 + ["a"] * 3 + ["b"], tuple([1] * 6 + ["1"] * 6)):
        with pytest.raises(ValueError, match="y mixes labels of types int, str"):
            SMOTEWithFallback(random_state=0).fit_resample(X, y)
    # A list of one kind keeps its labels.
    _, y_res = SMOTEWithFallback(random_state=0).fit_resample(X, [1] * 8 + [2] * 3 + [3])
    assert sorted(set(y_res)) == [1, 2, 3]
    assert all(isinstance(label, int) for label in y_res)


def test_labels_of_mixed_types_and_features_with_nan_are_refused_at_construction():
    with pytest.raises(ValueError, match="y mixes labels of types int, str"):
        ImbalancedSampler(np.array([0, "a", 0, "a"], dtype=object))
    X = np.ones((4, 2))
    X[1, 0] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        ImbalancedSampler([0, 1, 0, 1], NearMiss(), X=X)


def test_a_list_of_labels_of_mixed_types_is_refused_not_read_as_strings():
    """numpy reads the list [1, "1", "b"] as the strings "1", "1", "b": the labels 1 and
    "1" would be drawn as one class."""
    with pytest.raises(ValueError, match="y mixes labels of types int, str"):
        ImbalancedSampler([1] * 8 + ["1"] * 3 + ["b"])
    with pytest.raises(ValueError, match="y mixes labels of types int, str"):
        ImbalancedSampler((0, "a", 0, "a"))
    # Missing labels in a list are named as missing, not as a type.
    for missing in ([0, None, 1], ["a", float("nan"), "b"]):
        with pytest.raises(ValueError, match="1 missing label"):
            ImbalancedSampler(missing)
    # A list of one kind is taken as before.
    assert ImbalancedSampler(["a", "b", "b"]).class_counts_.tolist() == [1, 2]
    assert ImbalancedSampler([0, 1.0, 1]).classes_.tolist() == [0, 1]


def test_a_smoothed_bootstrap_is_refused_not_drawn_as_plain_copies():
    """RandomOverSampler with ``shrinkage`` names its rows in ``sample_indices_`` but
    returns them perturbed (a smoothed bootstrap): drawing those indices would silently
    train on plain copies instead."""
    smoothed = RandomOverSampler(shrinkage=1.0)
    refused = r"'sampler' parameter of ImbalancedSampler must pick existing rows.*Pipeline"
    with pytest.raises(InvalidParameterError, match=refused):
        ImbalancedSampler(Y, smoothed)
    X = np.random.default_rng(0).normal(size=(60, 3))
    y = np.repeat([0, 1], [50, 10])
    clf = ImbalancedNetClassifier(loss="ce", sampler=smoothed, max_epochs=1)
    with pytest.raises(InvalidParameterError, match="synthesises new rows, changes them, or"):
        clf.fit(X, y)
    # No shrinkage, or none at all, is plain copies: taken.
    assert len(ImbalancedSampler(Y, RandomOverSampler(shrinkage=0.0), random_state=0)) == 1600


def test_a_callable_strategy_that_reads_a_class_by_name_is_taken():
    """A callable written for the user's classes (``counts["c"]``) is called on them
    only: not on the small two-class problem that tells whether the sampler picks
    rows, where the class it reads is absent."""

    def strategy(y_):
        counts = dict(zip(*np.unique(y_, return_counts=True)))
        return {"a": 2 * counts["c"], "b": 2 * counts["c"]}

    y = np.repeat(np.array(["a", "b", "c"]), [50, 30, 5])
    X = np.random.default_rng(0).normal(size=(len(y), 3))
    sampler = ImbalancedSampler(y, RandomUnderSampler(sampling_strategy=strategy), random_state=0)
    order = np.fromiter(sampler, dtype=int)
    assert [int((y[order] == c).sum()) for c in "abc"] == [10, 10, 5]
    clf = ImbalancedNetClassifier(
        loss="ce", sampler=RandomUnderSampler(sampling_strategy=strategy), max_epochs=1
    )
    assert clf.fit(X, y).class_counts_.tolist() == [50, 30, 5]


@pytest.mark.parametrize(
    "sampler, match",
    [
        (NearMiss(version=5), r"The 'version' parameter of NearMiss must be .* Got 5 instead"),
        (
            RandomUnderSampler(replacement="yes"),
            r"The 'replacement' parameter of RandomUnderSampler must be .* Got 'yes' instead",
        ),
        (
            RandomOverSampler(sampling_strategy=["c"]),
            r"'sampling_strategy' parameter of RandomOverSampler must be .* Got \['c'\] inst",
        ),
    ],
)
def test_a_sampler_parameter_it_does_not_take_is_refused_in_its_own_words(sampler, match):
    """As the sampler itself refuses it: with the value given (the labels, not their
    codes), and in the estimator too, whose fit skips the validation of nested
    estimators (unchecked, NearMiss(version=5) fails deep inside imbalanced-learn, and
    replacement='yes' is taken as True)."""
    y = np.repeat(np.array(["a", "b", "c"]), [50, 30, 20])
    X = np.random.default_rng(0).normal(size=(len(y), 3))
    with pytest.raises(InvalidParameterError, match=match):
        ImbalancedSampler(y, sampler, X=X)
    with pytest.raises(InvalidParameterError, match=match):
        ImbalancedNetClassifier(loss="ce", sampler=sampler, max_epochs=1).fit(X, y)


@pytest.mark.parametrize("sampler", ["class_balanced", RandomUnderSampler()])
def test_features_a_sampler_does_not_read_are_not_required_to_be_numeric(sampler):
    """Only a sampler that chooses rows by their features reads X: a table with missing
    values or text given beside another is not refused for them, and its length is
    still checked."""
    y = np.repeat([0, 1], [8, 4])
    X = pd.DataFrame({"city": list("uvw") * 4, "income": [np.nan] + [1.0] * 11})
    drawn = ImbalancedSampler(y, sampler, X=X, random_state=0)
    alone = ImbalancedSampler(y, sampler, random_state=0)
    assert list(drawn) == list(alone)
    with pytest.raises(ValueError, match="X has 11 rows but y has 12 labels"):
        ImbalancedSampler(y, sampler, X=X.iloc[:11])


def test_smote_with_fallback_cuts_k_to_the_smallest_class_smote_can_take():
    X = np.random.default_rng(0).normal(size=(25, 2))
    y = np.array([0] * 20 + [1] * 4 + [2])
    sampler = SMOTEWithFallback(random_state=0)
    _, y_res = sampler.fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [20, 20, 20]
    assert sampler.k_neighbors_ == 3 and sampler.fallback_classes_ == [2]
    sampler = SMOTEWithFallback(k_neighbors=2, random_state=0)
    sampler.fit_resample(X, y)
    assert sampler.k_neighbors_ == 2


def test_a_sampler_that_does_not_name_its_rows_is_refused_as_such():
    # A FunctionSampler picks existing rows but sets no sample_indices_ to draw them by.
    from imblearn import FunctionSampler

    def first_rows(X, y):
        return X[:40], y[:40]

    X = np.random.default_rng(0).normal(size=(60, 3))
    y = np.tile([0, 1, 1], 20)
    clf = ImbalancedNetClassifier(loss="ce", sampler=FunctionSampler(func=first_rows))
    with pytest.raises(InvalidParameterError, match=r"does not name the rows it returns \(sample"):
        clf.fit(X, y)
