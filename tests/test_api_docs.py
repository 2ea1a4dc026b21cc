"""The API reference agrees with the code: parameters, defaults and fitted attributes.

The documentation build checks the Parameters and Returns sections too
(``numpydoc_validation_checks`` in docs/conf.py), but only when the site is built;
these tests catch the drift in the test suite.
"""

import ast
import builtins
import doctest
import importlib
import inspect
import math
import pkgutil
import re
import warnings

import numpy as np
import pandas as pd
import pytest

import sklearn_imbalance_dl
from sklearn_imbalance_dl import ImbalancedNetClassifier
from sklearn_imbalance_dl.modules import ColumnEncoder
from sklearn_imbalance_dl.sampling import ImbalancedSampler, SMOTEWithFallback

PACKAGE = "sklearn_imbalance_dl"
# The checks of the documentation build (docs/conf.py's numpydoc_validation_checks).
CHECKS = {"PR01", "PR02", "PR10", "RT01"}


def _public_objects():
    """Each class and function of the package's public ``__all__`` lists, once."""
    modules = [sklearn_imbalance_dl]
    for info in pkgutil.walk_packages(sklearn_imbalance_dl.__path__, PACKAGE + "."):
        if not any(part.startswith("_") for part in info.name.split(".")[1:]):
            modules.append(importlib.import_module(info.name))
    seen = {}
    for module in modules:
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if (inspect.isclass(obj) or inspect.isroutine(obj)) and (
                getattr(obj, "__module__", "") or ""
            ).startswith(PACKAGE):
                seen.setdefault(id(obj), obj)
    return sorted(seen.values(), key=lambda obj: f"{obj.__module__}.{obj.__qualname__}")


def _documented_callables():
    """``(qualified name, object)`` of the public classes, functions and their methods."""
    for obj in _public_objects():
        name = f"{obj.__module__}.{obj.__qualname__}"
        yield name, obj
        if inspect.isclass(obj):
            for attr, value in vars(obj).items():
                if not attr.startswith("_") and inspect.isfunction(value) and value.__doc__:
                    yield f"{name}.{attr}", value


DOCUMENTED = list(_documented_callables())


@pytest.mark.parametrize("name", [name for name, _ in DOCUMENTED])
def test_docstring_parameters_and_returns_match_the_signature(name):
    validate = pytest.importorskip("numpydoc.validate").validate  # the dev extra
    errors = [f"{code}: {message}" for code, message in validate(name)["errors"] if code in CHECKS]
    assert not errors, f"{name}: {errors}"


def _stated_default(text, owner):
    """The value a docstring's ``default=...`` names (a literal, or a name of the module)."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return eval(text, vars(inspect.getmodule(owner)))  # e.g. np.nan, RAND_AUGMENT_OPS


def _same(documented, actual):
    if isinstance(actual, float) and math.isnan(actual):
        return isinstance(documented, float) and math.isnan(documented)
    return documented == actual


@pytest.mark.parametrize("name, obj", DOCUMENTED, ids=[name for name, _ in DOCUMENTED])
def test_documented_types_and_defaults_match_the_signature(name, obj):
    docscrape = pytest.importorskip("numpydoc.docscrape")  # the dev extra
    signature = inspect.signature(obj)
    for entry in docscrape.NumpyDocString(inspect.getdoc(obj) or "")["Parameters"]:
        assert not entry.type.startswith("default"), f"{name}: {entry.name} has no type"
        match = re.search(r"default\s*=\s*(.+)$", entry.type)
        if match is None:
            continue
        names = [part.strip() for part in entry.name.split(",")]
        # "start, end : float, default=0.5, 0.8" states one default per name.
        texts = [t.strip() for t in match.group(1).split(",")] if len(names) > 1 else None
        for i, param in enumerate(names):
            text = texts[i] if texts and len(texts) == len(names) else match.group(1).strip()
            assert param in signature.parameters, f"{name}: {param} is not a parameter"
            actual = signature.parameters[param].default
            assert actual is not inspect.Parameter.empty, f"{name}: {param} has no default"
            documented = _stated_default(text, obj)
            assert _same(documented, actual), (
                f"{name}: {param} is documented with default={text}, the signature has {actual!r}"
            )


# ------------------------------------------------------------- examples


def _doctests():
    """The docstring examples of every module of the package, private ones included
    (where the public classes and functions are defined)."""
    modules = [sklearn_imbalance_dl] + [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(sklearn_imbalance_dl.__path__, PACKAGE + ".")
    ]
    finder = doctest.DocTestFinder()
    return [test for module in modules for test in finder.find(module) if test.examples]


def _unbound_names(source):
    """The names ``source`` reads that it neither imports nor assigns (nor builtins)."""
    tree = ast.parse(source)
    bound, read = set(dir(builtins)), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return read - bound


DOCTESTS = _doctests()


@pytest.mark.parametrize("test", DOCTESTS, ids=[test.name for test in DOCTESTS])
def test_docstring_examples_import_what_they_use(test):
    """An example runs when copied into a fresh session: pytest's doctests run in the
    namespace of their module, where a name the example never imports is defined."""
    source = "".join(example.source for example in test.examples)
    unbound = _unbound_names(source)
    assert not unbound, f"{test.name} uses {sorted(unbound)} without importing them"


# ------------------------------------------------------------- fitted attributes


def _table():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(
        {
            "size": rng.normal(size=60),
            "colour": pd.Categorical(rng.choice(["red", "blue"], size=60)),
        }
    )
    X.loc[::7, "size"] = np.nan  # a missing indicator too
    y = np.array([0] * 40 + [1] * 15 + [2] * 5)
    return X, y


def _fitted_net():
    X, y = _table()
    return ImbalancedNetClassifier(max_epochs=1, device="cpu", random_state=0).fit(X, y)


def _fitted_column_encoder():
    return ColumnEncoder().fit(_table()[0])


def _resampled_smote():
    X, y = _table()
    sampler = SMOTEWithFallback(random_state=0)
    sampler.fit_resample(X[["size"]].fillna(0.0), np.r_[y[:-4], [1, 1, 1, 2]])
    return sampler


def _sampler():
    return ImbalancedSampler(_table()[1], random_state=0)


FITTED = [_fitted_net, _fitted_column_encoder, _resampled_smote, _sampler]


@pytest.mark.parametrize("make", FITTED, ids=lambda make: make.__name__)
def test_fitted_attributes_are_those_the_docstring_lists(make):
    docscrape = pytest.importorskip("numpydoc.docscrape")  # the dev extra
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimator = make()
    documented = {
        part.strip()
        for entry in docscrape.NumpyDocString(inspect.getdoc(type(estimator)))["Attributes"]
        for part in entry.name.split(",")
    }
    fitted = {a for a in vars(estimator) if a.endswith("_") and not a.startswith("_")}
    assert fitted == {a for a in documented if a.endswith("_")}, (
        f"{type(estimator).__name__}: set but not documented {sorted(fitted - documented)}, "
        f"documented but not set {sorted(documented - fitted)}"
    )


def test_sphinx_reads_the_source_of_every_module():
    """The site's source pages ("[source]" links): Sphinx's own parser must read every
    module, or it leaves the module's page out and links to it from the index anyway
    (Sphinx 9 fails on a ``**mapping`` inside a dict literal of a class body or a
    decorator: such dicts are merged with ``|``)."""
    parser = pytest.importorskip("sphinx.pycode.parser")
    root = sklearn_imbalance_dl.__path__[0]
    for info in pkgutil.walk_packages([root], PACKAGE + "."):
        module = importlib.import_module(info.name)
        parser.Parser(inspect.getsource(module)).parse()
