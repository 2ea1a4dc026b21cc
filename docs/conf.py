"""Sphinx configuration of the sklearn_imbalance_dl documentation.

Build (from the repository root, after ``pip install -e ".[docs]"``)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

or ``bash scripts/docs.sh``, which makes a fresh virtual environment first.

The API reference is generated at every build from the ``__all__`` of the package and
of each public subpackage (``_api_pages`` below), so a new public name gets its page
without editing anything here. Intersphinx links to scikit-learn, imbalanced-learn,
skorch and PyTorch need the network: set ``DOCS_INTERSPHINX=1`` to fetch the
inventories. Off by default, since a failed fetch is a warning and ``-W`` makes the
offline build (CI) fail on it.
"""

import importlib
import inspect
import os
import pkgutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# The checkout's package, also when it is not installed, and the gallery helpers.
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE / "_ext"))

from component_defaults import write_defaults  # noqa: E402

import sklearn_imbalance_dl  # noqa: E402

PACKAGE = "sklearn_imbalance_dl"

# -- Project ------------------------------------------------------------------------
project = "sklearn_imbalance_dl"
author = "sklearn_imbalance_dl developers"
copyright = "2026, sklearn_imbalance_dl developers"
release = sklearn_imbalance_dl.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build", "_ext", "**.ipynb_checkpoints"]
default_role = "literal"

# -- MyST (docs/methods.md, docs/compare.md, the changelog) ------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
# benchmarks/RESULTS.md, included in the benchmarks page, is written by the benchmark
# scripts and jumps heading levels (H2 to H4); that breaks nothing on the site.
suppress_warnings = ["myst.header"]

# -- autodoc / autosummary / numpydoc ----------------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
autodoc_typehints = "none"
autodoc_member_order = "bysource"
# A method without a docstring of its own (``forward`` of a module) is not shown with
# torch's or scikit-learn's docstring, whose references point into their sites.
autodoc_inherit_docstrings = False
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# Every documented parameter and return value: a docstring whose Parameters section
# misses an argument (PR01), names one the signature lacks (PR02), or a function that
# returns something without a Returns section (RT01) fails the build.
numpydoc_validation_checks = {"PR01", "PR02", "PR10", "RT01"}


def _kind(obj):
    if inspect.ismodule(obj):
        return "module"
    if inspect.isclass(obj):
        return "class"
    if inspect.isroutine(obj):
        return "function"
    return "data"


def public_modules():
    """The package and each public submodule that declares ``__all__``, sorted."""
    package = importlib.import_module(PACKAGE)
    names = [PACKAGE]
    for info in pkgutil.walk_packages(package.__path__, PACKAGE + "."):
        if any(part.startswith("_") for part in info.name.split(".")[1:]):
            continue
        if hasattr(importlib.import_module(info.name), "__all__"):
            names.append(info.name)
    return sorted(names)


def public_names():
    """``{module: {kind: [names]}}`` from every public module's ``__all__``."""
    table = {}
    for modname in public_modules():
        module = importlib.import_module(modname)
        kinds = {}
        for name in module.__all__:
            kinds.setdefault(_kind(getattr(module, name)), []).append(name)
        table[modname] = kinds
    return table


def _aliases(table):
    """``{other public name: main public name}`` of a class or function public twice.

    The main name is the one whose module the object is defined under (``sampling``
    for ``sampling._smote.SMOTEWithFallback``); the other names get a short page
    pointing to it, since documenting a class twice is a duplicate object description.
    """
    owners = {}
    for modname, kinds in table.items():
        module = importlib.import_module(modname)
        for kind in ("class", "function"):
            for name in kinds.get(kind, []):
                owners.setdefault(id(getattr(module, name)), []).append(f"{modname}.{name}")
    aliases = {}
    for names in owners.values():
        if len(names) < 2:
            continue
        obj_module = _object_of(names[0]).__module__
        main = max(names, key=lambda n: (obj_module.startswith(n.rsplit(".", 1)[0]), -len(n)))
        aliases.update({n: main for n in names if n != main})
    return aliases


def _object_of(fullname):
    modname, name = fullname.rsplit(".", 1)
    return getattr(importlib.import_module(modname), name)


_SECTIONS = (("class", "Classes"), ("function", "Functions"), ("data", "Constants"))


def _module_page(modname, kinds):
    title = f"``{modname}``"
    lines = [title, "=" * len(title), "", f".. automodule:: {modname}", "   :no-members:", ""]
    lines += [f".. currentmodule:: {modname}", ""]
    if "module" in kinds:
        lines += ["Submodules", "-" * 10, ""]
        lines += [f"- :mod:`{modname}.{name}`" for name in kinds["module"]] + [""]
    for kind, heading in _SECTIONS:
        if kind not in kinds:
            continue
        lines += [heading, "-" * len(heading), "", ".. autosummary::", "   :toctree: ../"]
        lines += [f"   :template: autosummary/{kind}.rst", "   :nosignatures:", ""]
        lines += [f"   {name}" for name in kinds[kind]] + [""]
    return "\n".join(lines)


def _write_if_changed(path, text):
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def _api_pages():
    """Write docs/generated/modules/<module>.rst; remove pages of names now gone.

    autosummary then writes docs/generated/<module>.<name>.rst for every entry.
    """
    out = HERE / "generated"
    (out / "modules").mkdir(parents=True, exist_ok=True)
    table = public_names()
    expected = {out / "modules" / f"{m}.rst" for m in table}
    for modname, kinds in table.items():
        for kind, names in kinds.items():
            if kind != "module":
                expected |= {out / f"{modname}.{name}.rst" for name in names}
    for path in list(out.glob("*.rst")) + list((out / "modules").glob("*.rst")):
        if path not in expected:
            path.unlink()
    for modname, kinds in table.items():
        _write_if_changed(out / "modules" / f"{modname}.rst", _module_page(modname, kinds))


_api_pages()
# docs/methods.md includes this table of every component's defaults.
write_defaults(HERE / "generated" / "defaults.md")
autosummary_context = {"aliases": _aliases(public_names())}


def _drop_type_docstring(app, what, name, obj, options, lines):
    """A constant has no docstring of its own: do not show that of its type (dict, str)."""
    if what == "data" and type(obj).__doc__ and lines:
        if "\n".join(lines).strip() == inspect.cleandoc(type(obj).__doc__).strip():
            lines.clear()


_PROJECTS = {
    "imblearn": "imbalanced-learn",
    "sklearn": "scikit-learn",
    "skorch": "skorch",
    "torch": "PyTorch",
}


def _public_path(obj):
    """``imblearn.metrics._classification.f`` -> ``imblearn.metrics.f``."""
    parts = []
    for part in obj.__module__.split("."):
        if part.startswith("_"):
            break
        parts.append(part)
    return ".".join(parts + [obj.__qualname__])


def _foreign_docstring(app, what, name, obj, options, lines):
    """A name re-exported from another library points to that library's page.

    Its docstring refers to labels of that library's site, which are not here.
    """
    module = getattr(obj, "__module__", None) or ""
    if what not in ("function", "class") or not module or module.startswith(PACKAGE):
        return
    root = module.split(".")[0]
    role = "class" if what == "class" else "func"
    lines[:] = [
        f"Re-exported from {_PROJECTS.get(root, root)}: :{role}:`{_public_path(obj)}`, "
        "whose documentation applies.",
    ]


def _skip_member(app, what, name, obj, skip, options):
    """Methods from other libraries: scikit-learn's ``set_{method}_request`` and the like.

    Their docstrings refer to labels of those libraries' sites.
    """
    if name.startswith("set_") and name.endswith("_request"):
        return True
    module = getattr(obj, "__module__", None)
    if inspect.isroutine(obj) and module and not module.startswith(PACKAGE):
        return True
    return None


# Markdown pages link to files of the repository that the site has as pages; the links
# stay right on GitHub and are pointed at the page here.
_REPO_LINKS = {
    "../benchmarks/RESULTS.md": "benchmarks.md",
    "../CHANGELOG.md": "changelog.md",
}


def _repo_links(app, docname, source):
    if "/" in docname:
        return
    for target, page in _REPO_LINKS.items():
        source[0] = source[0].replace(f"]({target})", f"]({page})")
        source[0] = source[0].replace(f"]({target}#", f"]({page}#")


def _check_api_pages(app, exception):
    """Every public name has an HTML page (a warning, so ``-W`` fails the build)."""
    if exception is not None or app.builder.format != "html":
        return
    from sphinx.util import logging

    out = Path(app.outdir) / "generated"
    for modname, kinds in public_names().items():
        for kind, names in kinds.items():
            for name in names:
                page = out / "modules" if kind == "module" else out
                if not (page / f"{modname}.{name}.html").exists():
                    logging.getLogger(__name__).warning(
                        "public name %s.%s has no page in the API reference", modname, name
                    )


def setup(app):
    app.connect("build-finished", _check_api_pages)
    # Before numpydoc (priority 500) rewrites the lines.
    app.connect("autodoc-process-docstring", _drop_type_docstring, priority=100)
    app.connect("autodoc-process-docstring", _foreign_docstring, priority=100)
    app.connect("autodoc-skip-member", _skip_member)
    app.connect("source-read", _repo_links)


# -- Intersphinx (opt-in: needs the network) ----------------------------------------
intersphinx_timeout = 10
_INVENTORIES = {
    "python": ("https://docs.python.org/3", None),
    "numpy": ("https://numpy.org/doc/stable", None),
    "sklearn": ("https://scikit-learn.org/stable", None),
    "imblearn": ("https://imbalanced-learn.org/stable", None),
    "skorch": ("https://skorch.readthedocs.io/en/stable", None),
    "torch": ("https://docs.pytorch.org/docs/stable", None),
}
intersphinx_mapping = _INVENTORIES if os.environ.get("DOCS_INTERSPHINX") == "1" else {}

# -- Gallery ------------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    # Every plot_*.py runs during the build; other examples are shown, not run.
    "filename_pattern": r"/plot_",
    "within_subsection_order": "gallery_helpers.ExampleOrder",
    "reset_modules": ("matplotlib", "gallery_helpers.reset_torch"),
    "doc_module": (PACKAGE,),
    "backreferences_dir": "generated/backreferences",
    "reference_url": {PACKAGE: None},
    "abort_on_example_error": True,
    "remove_config_comments": True,
    "show_memory": False,
    "min_reported_time": 1,
}

# -- HTML ---------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sklearn_imbalance_dl {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
}
html_show_sourcelink = True
html_static_path = []
