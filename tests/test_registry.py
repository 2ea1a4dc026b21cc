"""The component registry, and the claims of the README and CHANGELOG checked against it."""

import functools
import importlib
import pickle
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

from sklearn_imbalance_dl import ImbalancedNetClassifier, register
from sklearn_imbalance_dl.losses import CrossEntropyLoss
from sklearn_imbalance_dl.modules import MLP, ResNet32, TabularNet
from sklearn_imbalance_dl.registry import _TABLE, KINDS, lookup, names

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def scratch_loss():
    """A loss registered as "scratch_ce" for one test, removed afterwards."""

    class ScratchCE(CrossEntropyLoss):
        pass

    register("loss", "scratch_ce")(ScratchCE)
    yield ScratchCE
    del _TABLE["loss"]["scratch_ce"]


def test_register_returns_the_class_and_the_estimator_accepts_the_name(scratch_loss):
    assert lookup("loss", "scratch_ce") is scratch_loss
    assert "scratch_ce" in names("loss")
    X = np.random.default_rng(0).normal(size=(40, 3)).astype(np.float32)
    y = np.array([0] * 30 + [1] * 10)
    clf = ImbalancedNetClassifier(loss="scratch_ce", max_epochs=1, random_state=0).fit(X, y)
    assert isinstance(clf.net_.criterion_, scratch_loss)


def test_a_taken_name_an_unknown_kind_and_an_unknown_name_are_refused(scratch_loss):
    with pytest.raises(ValueError, match="'scratch_ce' is already registered"):
        register("loss", "scratch_ce")(CrossEntropyLoss)
    register("loss", "scratch_ce")(scratch_loss)  # the same object again: a no-op
    with pytest.raises(ValueError, match="Unknown component kind 'losses'"):
        register("losses", "x")
    with pytest.raises(ValueError, match=r"'nope' is not a registered loss; .*'ce'"):
        lookup("loss", "nope")
    # Not hashable: the same messages, not "unhashable type".
    with pytest.raises(ValueError, match=r"Unknown component kind \['loss'\]"):
        lookup(["loss"], "ce")
    with pytest.raises(ValueError, match=r"\['ce'\] is not a registered loss"):
        lookup("loss", ["ce"])


def test_a_class_or_function_defined_again_replaces_its_entry_and_auto_is_reserved():
    """A notebook cell run twice defines the class or function again (the same module
    and name): it replaces its entry. Classes a factory makes, and lambdas, share a name
    but differ: refused."""

    def run_cell():
        namespace = {"__name__": "notebook", "CrossEntropyLoss": CrossEntropyLoss}
        exec("class RerunCE(CrossEntropyLoss):\n    pass", namespace)
        return namespace["RerunCE"]

    def factory():
        class MadeCE(CrossEntropyLoss):
            pass

        return MadeCE

    def run_function_cell():
        namespace = {"__name__": "notebook"}
        exec("def flip(images):\n    return images.flip(-1)", namespace)
        return namespace["flip"]

    first, again = run_cell(), run_cell()
    try:
        register("loss", "rerun_ce")(first)
        register("loss", "rerun_ce")(again)
        assert lookup("loss", "rerun_ce") is again
        flip = run_function_cell()
        register("augmentation", "rerun_flip")(run_function_cell())
        register("augmentation", "rerun_flip")(flip)
        assert lookup("augmentation", "rerun_flip") is flip
        register("augmentation", "made_lambda")(lambda images: images)
        with pytest.raises(ValueError, match="'made_lambda' is already registered"):
            register("augmentation", "made_lambda")(lambda images: images)
        register("loss", "made_ce")(factory())
        with pytest.raises(ValueError, match="'made_ce' is already registered"):
            register("loss", "made_ce")(factory())
    finally:
        _TABLE["loss"].pop("rerun_ce", None)
        _TABLE["loss"].pop("made_ce", None)
        _TABLE["augmentation"].pop("rerun_flip", None)
        _TABLE["augmentation"].pop("made_lambda", None)
    for kind in ("module", "lr_schedule"):
        with pytest.raises(ValueError, match=rf"The {kind} name 'auto' is reserved"):
            register(kind, "auto")


def test_a_number_registered_again_is_the_same_entry():
    # A cell run again makes its number anew: an equal value is no other entry.
    try:
        register("sampler", "scratch")(float("0.25"))
        register("sampler", "scratch")(float("0.25"))
        register("sampler", "scratch")(np.float64(0.25))
        assert lookup("sampler", "scratch") == 0.25
        with pytest.raises(ValueError, match="'scratch' is already registered for 0.25"):
            register("sampler", "scratch")(0.5)
    finally:
        _TABLE["sampler"].pop("scratch", None)


@pytest.mark.parametrize(
    "kind, obj, message",
    [
        ("loss", 42, r"a loss class: .*ImbalanceLoss subclass or a torch loss class"),
        ("loss", list, r"a loss class: .*; got the class list\."),
        ("module", MLP(3, 2), r"a torch.nn.Module class; got .* \(register the class, not an"),
        ("head", "abc", r"cls\(in_features, n_classes\); got 'abc' of type str\."),
        ("head", torch.nn.ReLU, r"cls\(in_features, n_classes\); got the class ReLU\."),
        ("activation", torch.nn.Linear, r"called without arguments; got the class Linear\."),
        ("schedule", object, r"a sklearn_imbalance_dl.schedules.Schedule subclass"),
        ("mixing", CrossEntropyLoss, r"a sklearn_imbalance_dl.mixing.Mixing subclass"),
        ("lr_schedule", object, r"a subclass of sklearn_imbalance_dl\.schedules\.LRSchedule"),
        ("optimizer", torch.nn.Linear, r"a torch.optim.Optimizer class"),
        ("sampler", "sqrt", r"a number: the exponent q"),
        ("sampler", float("nan"), r"a number: .*got nan of type float"),
        ("augmentation", torch.nn.Identity, r"a callable on a batch of images .* not a class"),
        ("augmentation", lambda images, strength: images, r"called as augment\(images\)"),
        ("augmentation", lambda: None, r"called as augment\(images\)"),
        ("precision", torch.int8, r"a dtype autocast takes"),
        ("precision", torch.float64, r"a dtype autocast takes"),
        ("weight_averaging", torch.nn.Module, r"WeightAveraging subclass"),
    ],
)
def test_an_entry_that_is_not_what_its_kind_takes_is_refused(kind, obj, message):
    try:
        with pytest.raises(
            TypeError, match=rf"(?s)register\('{kind}', 'scratch'\) takes .*{message}"
        ):
            register(kind, "scratch")(obj)
    finally:
        registered = _TABLE[kind].pop("scratch", None)
    assert registered is None


def test_the_shipped_entries_are_what_their_kinds_take():
    # register checks the user's entries only; the shipped ones pass the same check.
    for kind in KINDS:
        for name in names(kind):
            try:
                register(kind, "scratch")(lookup(kind, name))
            finally:
                _TABLE[kind].pop("scratch", None)


def test_entries_of_every_kind_are_accepted():
    from sklearn_imbalance_dl.augment import RandAugment
    from sklearn_imbalance_dl.callbacks import EMA
    from sklearn_imbalance_dl.mixing import Mixup
    from sklearn_imbalance_dl.schedules import DeferredReweighting

    class Head(torch.nn.Linear):
        pass

    entries = [
        ("loss", torch.nn.CrossEntropyLoss),
        ("head", Head),
        ("activation", torch.nn.Hardswish),
        ("activation", functools.partial(torch.nn.LeakyReLU, 0.2)),  # a factory
        ("sampler", 0.25),
        ("augmentation", RandAugment()),
        ("precision", torch.float16),
        ("schedule", type("Later", (DeferredReweighting,), {})),
        ("mixing", type("Mix", (Mixup,), {})),
        ("weight_averaging", type("Average", (EMA,), {})),
        ("optimizer", type("Step", (torch.optim.SGD,), {})),
    ]
    try:
        for i, (kind, obj) in enumerate(entries):
            assert register(kind, f"scratch{i}")(obj) is obj
    finally:
        for i, (kind, _) in enumerate(entries):
            _TABLE[kind].pop(f"scratch{i}", None)


def test_every_kind_has_names_sorted():
    assert all(names(kind) for kind in KINDS)
    for kind in KINDS:
        assert list(names(kind)) == sorted(names(kind)), kind


def test_an_unregistered_name_is_refused_naming_the_registered_ones():
    clf = ImbalancedNetClassifier(mixing="nope")
    # Names registered elsewhere (a notebook's, in a joblib worker) are not among them.
    message = r"'mixing' parameter .* among .*'cutmix'.*'mixup'.*\} \(the names registered in this"
    with pytest.raises(ValueError, match=message):
        clf.fit(np.zeros((4, 2)), [0, 0, 1, 1])


@pytest.mark.parametrize(
    "q, draws",
    [
        (0.0, None),  # every row alike: nothing balances the classes a second time
        (1.0, "draws class-balanced batches"),
        (0.75, r"draws batches flattened toward balance \(class c .* n_c \*\* 0\.25\)"),
        (2.0, r"draws batches past balance, the rare classes the most \(class c .* n_c \*\* -1\)"),
    ],
)
def test_a_registered_sampler_is_described_by_its_exponent(q, draws):
    X = np.random.default_rng(0).normal(size=(40, 3)).astype(np.float32)
    y = np.array([0] * 30 + [1] * 10)
    clf = ImbalancedNetClassifier(sampler="scratch", max_epochs=1)
    try:
        register("sampler", "scratch")(q)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            clf.fit(X, y)
    finally:
        _TABLE["sampler"].pop("scratch", None)
    twice = [str(w.message) for w in caught if "balanced twice" in str(w.message)]
    if draws is None:
        assert not twice
    else:
        assert len(twice) == 1 and re.search(rf"sampler='scratch' {draws}:", twice[0])


@pytest.fixture
def half_precision():
    """float16 registered as "scratch_half" for one test, removed afterwards."""
    register("precision", "scratch_half")(torch.float16)
    yield "scratch_half"
    _TABLE["precision"].pop("scratch_half", None)


def test_a_precision_of_ones_own_for_float16_is_treated_as_fp16(half_precision):
    X = np.random.default_rng(0).normal(size=(40, 3)).astype(np.float32)
    y = np.array([0] * 30 + [1] * 10)
    with pytest.warns(UserWarning, match=r"precision='scratch_half' on 'cpu' runs without loss"):
        ImbalancedNetClassifier(precision=half_precision, max_epochs=1).fit(X, y)
    clf = ImbalancedNetClassifier(precision=half_precision, optimizer="sam", max_epochs=1)
    with pytest.raises(ValueError, match=r"optimizer='sam' steps twice per batch"):
        clf.fit(X, y)


def test_a_fitted_estimator_with_a_precision_of_ones_own_predicts_without_the_name():
    # As in another process, which has not registered the name: the fit resolved it.
    X = np.random.default_rng(0).normal(size=(40, 3)).astype(np.float32)
    y = np.array([0] * 30 + [1] * 10)
    register("precision", "scratch_bf16")(torch.bfloat16)
    try:
        clf = ImbalancedNetClassifier(precision="scratch_bf16", max_epochs=1, random_state=0)
        expected = clf.fit(X, y).predict_proba(X)
        saved = pickle.dumps(clf)
    finally:
        del _TABLE["precision"]["scratch_bf16"]
    loaded = pickle.loads(saved)
    del _TABLE["precision"]["scratch_bf16"]  # which the pickle registered again
    np.testing.assert_array_equal(loaded.predict_proba(X), expected)


def _register_locally(suffix):
    """Entries of several kinds registered under ``<kind>_<suffix>``: classes made here,
    which a worker process cannot import by name (they travel by value or not at all)."""
    from sklearn_imbalance_dl.schedules import LRSchedule

    class TravellingCE(CrossEntropyLoss):
        pass

    class TravellingHead(torch.nn.Linear):
        pass

    class TravellingActivation(torch.nn.Tanh):
        pass

    class TravellingRate(LRSchedule):
        def factor(self, epoch):
            return 0.5**epoch

    entries = {
        "loss": TravellingCE,
        "head": TravellingHead,
        "activation": TravellingActivation,
        "lr_schedule": TravellingRate,
        "sampler": 0.25,
        "precision": None,
    }
    for kind, entry in entries.items():
        register(kind, f"{kind}_{suffix}")(entry)
    params = {"module": "mlp", **{kind: f"{kind}_{suffix}" for kind in entries}}
    params["module__head"] = params.pop("head")
    params["module__activation"] = params.pop("activation")
    return entries, params


def _unregister(entries, suffix):
    for kind in entries:
        _TABLE[kind].pop(f"{kind}_{suffix}", None)


def test_registered_names_the_estimator_gives_travel_to_grid_search_workers():
    from sklearn.model_selection import GridSearchCV

    X = np.random.default_rng(0).normal(size=(40, 3)).astype(np.float32)
    y = np.array([0] * 30 + [1] * 10)
    entries, params = _register_locally("grid")
    try:
        clf = ImbalancedNetClassifier(**params, max_epochs=2, batch_size=16, random_state=0)
        search = GridSearchCV(clf, {"lr": [1e-3, 1e-2]}, cv=2, n_jobs=2, error_score="raise")
        search.fit(X, y)
    finally:
        _unregister(entries, "grid")
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert type(search.best_estimator_.net_.criterion_) is entries["loss"]


def test_registered_names_a_grid_alone_gives_travel_to_grid_search_workers():
    # The estimator searched names none of them: the workers set them from the grid.
    from sklearn.model_selection import GridSearchCV

    X = np.random.default_rng(0).normal(size=(40, 3)).astype(np.float32)
    y = np.array([0] * 30 + [1] * 10)
    entries, _ = _register_locally("gridonly")
    grid = {"loss": ["ce", "loss_gridonly"], "module__head": ["head_gridonly"]}
    try:
        clf = ImbalancedNetClassifier(module="mlp", max_epochs=2, batch_size=16, random_state=0)
        search = GridSearchCV(clf, grid, cv=2, n_jobs=2, error_score="raise").fit(X, y)
    finally:
        _unregister(entries, "gridonly")
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert type(search.best_estimator_.net_.module_.head) is entries["head"]


def test_a_pickled_estimator_registers_its_entries_in_another_process():
    """Loaded in a fresh process, the estimator's entries are registered there; a name
    that process has registered for another object keeps its entry, with a warning."""
    entries, params = _register_locally("saved")
    try:
        saved = pickle.dumps(ImbalancedNetClassifier(**params, max_epochs=1, random_state=0))
    finally:
        _unregister(entries, "saved")
    code = (
        "import pickle, sys, warnings\n"
        "import numpy as np, torch\n"
        "from sklearn_imbalance_dl import register\n"
        "from sklearn_imbalance_dl.registry import lookup\n"
        "register('sampler', 'sampler_saved')(0.5)\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    clf = pickle.loads(sys.stdin.buffer.read())\n"
        "print('warned:', *[str(w.message) for w in caught])\n"
        "print('sampler:', lookup('sampler', 'sampler_saved'))\n"
        "X = np.random.default_rng(0).normal(size=(40, 3)).astype(np.float32)\n"
        "clf.fit(X, np.array([0] * 30 + [1] * 10))\n"
        "print('loss:', type(clf.net_.criterion_).__name__)\n"
        "print('head:', type(clf.net_.module_.head).__name__)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], input=saved, capture_output=True, timeout=300
    )
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    assert "names the sampler 'sampler_saved', registered where it was pickled for 0.25" in out
    assert "sampler: 0.5" in out
    assert "loss: TravellingCE" in out and "head: TravellingHead" in out


def test_carried_entries_in_one_process():
    """A copy or a pickle round trip in the process that registered the entries changes
    nothing and warns of nothing; an entry that came with a pickle gives way to a
    register of the process's own; older pickles, without entries, load."""
    import copy

    entries, params = _register_locally("here")
    try:
        clf = ImbalancedNetClassifier(**params, schedule="crt", schedule__sampler="sampler_here")
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            copy.deepcopy(clf)
            saved = pickle.dumps(clf)
            pickle.loads(saved)
        assert lookup("loss", "loss_here") is entries["loss"]
        carried = pickle.loads(saved).__getstate__()["__registered_entries__"]
        assert sorted(carried) == sorted((kind, f"{kind}_here") for kind in entries)
        # As in a process without them: they arrive, and yield to its own entry.
        _unregister(entries, "here")
        pickle.loads(saved)
        assert lookup("loss", "loss_here") is entries["loss"]
        assert lookup("sampler", "sampler_here") == 0.25

        class OwnCE(CrossEntropyLoss):
            pass

        register("loss", "loss_here")(OwnCE)
        with pytest.warns(UserWarning, match=r"names the loss 'loss_here', .* keeps: a fit"):
            pickle.loads(saved)
        assert lookup("loss", "loss_here") is OwnCE
        state = dict(vars(clf))  # as pickled before the entries (and the version) were
        old = ImbalancedNetClassifier.__new__(ImbalancedNetClassifier)
        with pytest.warns(UserWarning, match="saved by sklearn_imbalance_dl a version before"):
            old.__setstate__(state)
        assert old.get_params() == clf.get_params()
    finally:
        _unregister(entries, "here")
    # The shipped entries are not carried; an unfitted estimator carries every entry of
    # the user's (a search sets names of its grid in the worker), a fitted one, a saved
    # model, those its parameters name.
    entries, params = _register_locally("named")
    try:
        carried = ImbalancedNetClassifier(loss="ce").__getstate__()["__registered_entries__"]
        assert ("loss", "loss_named") in carried and ("loss", "ce") not in carried
        X = np.random.default_rng(0).normal(size=(40, 3)).astype(np.float32)
        fitted = ImbalancedNetClassifier(module="mlp", loss="loss_named", max_epochs=1)
        fitted.fit(X, np.array([0] * 30 + [1] * 10))
        assert list(fitted.__getstate__()["__registered_entries__"]) == [("loss", "loss_named")]
        fitted.set_params(loss="ce")
        assert "__registered_entries__" not in fitted.__getstate__()
    finally:
        _unregister(entries, "named")


def test_lr_schedule_kind_cannot_contradict_the_name():
    clf = ImbalancedNetClassifier(lr_schedule="cosine", lr_schedule__kind="warmup_step")
    with pytest.raises(ValueError, match=r"lr_schedule__kind='warmup_step' cannot be set"):
        clf.fit(np.zeros((4, 2), dtype=np.float32), [0, 0, 1, 1])


def test_a_mixing_that_needs_images_is_refused_on_rows_before_training():
    X = np.zeros((8, 3), dtype=np.float32)
    clf = ImbalancedNetClassifier(mixing="cutmix", max_epochs=1)
    with pytest.raises(ValueError, match=r"mixing='cutmix' needs images of shape"):
        clf.fit(X, [0] * 6 + [1] * 2)
    assert not hasattr(clf, "net_")


def test_an_augmentation_is_checked_and_refused_on_rows_before_training():
    from sklearn.utils._param_validation import InvalidParameterError

    from sklearn_imbalance_dl.augment import RandAugment

    X = np.zeros((8, 3), dtype=np.float32)
    clf = ImbalancedNetClassifier(augment=RandAugment(), max_epochs=1)
    with pytest.raises(ValueError, match=r"augment=RandAugment\(\) needs images of shape"):
        clf.fit(X, [0] * 6 + [1] * 2)
    images = np.zeros((8, 3, 8, 8), dtype=np.float32)
    clf = ImbalancedNetClassifier(augment=RandAugment(magnitude=31), max_epochs=1)
    with pytest.raises(InvalidParameterError, match="'magnitude' parameter of RandAugment"):
        clf.fit(images, [0] * 6 + [1] * 2)
    assert not hasattr(clf, "net_")


# ------------------------------------------------------------- README and CHANGELOG


def test_readme_table_lists_the_registered_names():
    # The README's "What is inside" table: each row's choices are the registry's names.
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)` \| (.*?) \|", text, flags=re.M)
    checked = 0
    for param, choices in rows:
        if param not in KINDS:
            continue
        listed = set(re.findall(r"`(\w+)`", choices)) - {"None", "auto"}
        assert listed == set(names(param)), f"README row {param!r}"
        checked += 1
    assert checked >= 5


_COMPONENT = re.compile(
    r"\b(loss|schedule|mixing|sampler|optimizer|lr_schedule|augment|precision)"
    r"=\"(\w+)\""
)
_KIND = {"augment": "augmentation"}


def _claims(path):
    """The text of a file, without the CHANGELOG's "Removed" sections."""
    text = path.read_text(encoding="utf-8")
    return re.sub(r"### Removed\n.*?(?=\n##)", "", text, flags=re.S)


def _doc_pages():
    """The pages of docs/ as written (not the build's: _build, generated, auto_examples)."""
    built = {"_build", "_templates", "generated", "auto_examples"}
    return sorted(
        path
        for path in (ROOT / "docs").rglob("*")
        if path.suffix in (".md", ".rst") and not built & set(path.relative_to(ROOT).parts)
    )


_PAGES = ["README.md", "CHANGELOG.md", *(str(path.relative_to(ROOT)) for path in _doc_pages())]


@pytest.mark.parametrize("doc", _PAGES)
def test_component_names_in_the_docs_are_registered(doc):
    for param, name in _COMPONENT.findall(_claims(ROOT / doc)):
        if name == "auto" or (param == "sampler" and name not in names("sampler")):
            continue  # "auto" is resolved by the estimator; samplers may be imblearn's
        assert name in names(_KIND.get(param, param)), f"{doc}: {param}={name!r}"


def test_getting_started_lists_the_registered_names():
    # "Every method is a parameter: ``loss`` (``"logit_adjusted"``, ...), ``schedule`` ..."
    text = " ".join((ROOT / "docs" / "getting_started.rst").read_text(encoding="utf-8").split())
    for kind in ("loss", "schedule", "mixing", "sampler"):
        (choices,) = re.findall(rf"``{kind}`` \(([^)]*)\)", text)
        assert set(re.findall(r'``"(\w+)"``', choices)) == set(names(kind)), kind


@pytest.mark.parametrize("doc", ["README.md", "CHANGELOG.md"])
def test_dotted_names_in_the_docs_exist(doc):
    for dotted in set(re.findall(r"`(sklearn_imbalance_dl(?:\.\w+)+)", _claims(ROOT / doc))):
        module, attr = dotted, None
        while True:
            try:
                obj = importlib.import_module(module)
                break
            except ModuleNotFoundError:
                module, _, last = module.rpartition(".")
                attr = last if attr is None else f"{last}.{attr}"
        for part in (attr or "").split(".") if attr else []:
            assert hasattr(obj, part), f"{doc}: {dotted}"
            obj = getattr(obj, part)


# ------------------------------------------------------------- docstrings

_DOCUMENTED = [
    # (class, parameter, registry kind, names the parameter takes besides the registry's)
    (ImbalancedNetClassifier, "module", "module", {"auto"}),
    (ImbalancedNetClassifier, "loss", "loss", set()),
    (ImbalancedNetClassifier, "schedule", "schedule", set()),
    (ImbalancedNetClassifier, "mixing", "mixing", set()),
    (ImbalancedNetClassifier, "sampler", "sampler", set()),
    (ImbalancedNetClassifier, "optimizer", "optimizer", set()),
    (ImbalancedNetClassifier, "lr_schedule", "lr_schedule", {"auto"}),
    (ImbalancedNetClassifier, "augment", "augmentation", set()),
    (ImbalancedNetClassifier, "precision", "precision", set()),
    (MLP, "activation", "activation", set()),
    (MLP, "head", "head", set()),
    (TabularNet, "activation", "activation", set()),
    (TabularNet, "head", "head", set()),
    (ResNet32, "head", "head", set()),
]


@pytest.mark.parametrize("cls, param, kind, extra", _DOCUMENTED)
def test_docstring_lists_the_registered_names(cls, param, kind, extra):
    docscrape = pytest.importorskip("numpydoc.docscrape")  # the dev extra
    (entry,) = [p for p in docscrape.NumpyDocString(cls.__doc__)["Parameters"] if p.name == param]
    # The names are listed in the type ({"a", "b"}) or, for long lists, the description.
    text = entry.type if "{" in entry.type else " ".join(entry.desc)
    listed = set(re.findall(r'"(\w+)"', text))
    assert listed == set(names(kind)) | extra, f"{cls.__name__}.{param}"


def test_a_shipped_name_is_refused_before_the_package_has_loaded_its_components():
    """In a fresh process, registering "focal" first is refused at the user's line, and
    the estimator still imports."""
    code = (
        "from sklearn_imbalance_dl import register\n"
        "try:\n"
        "    register('loss', 'focal')(object)\n"
        "except ValueError as error:\n"
        "    print('refused:', error)\n"
        "from sklearn_imbalance_dl import ImbalancedNetClassifier\n"
        "print('imported')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "refused: The loss name 'focal' is already registered" in result.stdout
    assert result.stdout.rstrip().endswith("imported")


def test_names_in_a_fresh_process_lists_the_shipped_components():
    """names() read first, before the estimator is imported, loads the shipped names."""
    code = (
        "from sklearn_imbalance_dl.registry import names\n"
        "print(sorted(set(names('loss')) & {'ce', 'focal', 'ldam'}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['ce', 'focal', 'ldam']"


def _results_headings():
    text = (ROOT / "benchmarks" / "RESULTS.md").read_text(encoding="utf-8")
    return [line.lstrip("#").strip() for line in text.splitlines() if line.startswith("#")]


# `benchmarks/RESULTS.md`, "Section" (or "the benchmark results ..., "Section"").
_RESULTS_SECTION = r"(?:RESULTS\.md[`)\]]*|benchmark results[^\"(]{0,40}),\s+\"([^\"]+)\""


def _results_references():
    """``(file, title)`` of each ``RESULTS.md, "Section"`` in the docs and docstrings."""
    paths = [ROOT / "README.md", *_doc_pages()]
    paths += [*(ROOT / "sklearn_imbalance_dl").rglob("*.py"), *(ROOT / "examples").glob("*.py")]
    paths += [*(ROOT / "benchmarks").glob("*.py")]
    for path in paths:
        text = path.read_text(encoding="utf-8")
        for title in re.findall(_RESULTS_SECTION, text):
            yield path.relative_to(ROOT), " ".join(title.split())


def test_sections_of_the_results_named_in_the_docs_exist():
    headings = _results_headings()
    references = list(_results_references())
    assert len(references) >= 3
    for path, title in references:
        assert any(heading.startswith(title) for heading in headings), (
            f"{path} names the section {title!r} of benchmarks/RESULTS.md, which has none"
        )


def test_the_first_read_of_the_registry_finds_every_shipped_kind():
    """In a fresh process that imported nothing but the registry, every kind has its
    shipped names: the registry loads the modules that register them (_shipped)."""
    code = (
        "from sklearn_imbalance_dl.registry import KINDS, names\n"
        "empty = [kind for kind in KINDS if not names(kind)]\n"
        "assert not empty, empty\n"
        "assert {'tabular', 'mlp', 'resnet32'} <= set(names('module'))\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
