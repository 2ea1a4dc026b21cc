"""The methods page's table of defaults, generated from the registry and the signatures.

``write_defaults(path)`` writes a Markdown table per component kind: each registered
name, its class, and the class's keyword parameters with their defaults as the code
declares them. docs/conf.py calls it at every build, so the table cannot drift.
"""

import inspect

from sklearn_imbalance_dl.registry import _items

KINDS = (
    ("loss", "Losses (`loss=`)", {"class_counts", "reduction"}),
    ("schedule", "Schedules (`schedule=`)", set()),
    ("mixing", "Mixings (`mixing=`)", set()),
    ("lr_schedule", "Learning-rate schedules (`lr_schedule=`)", {"kind"}),
    ("weight_averaging", "Weight averaging (`weight_averaging=`)", set()),
    ("module", "Modules (`module=`)", {"n_features", "n_classes", "in_channels", "n_categories"}),
)


def _defaults(cls, skip):
    params = inspect.signature(cls).parameters.values()
    shown = [
        f"`{p.name}={p.default!r}`"
        for p in params
        if p.name not in skip and p.default is not inspect.Parameter.empty
    ]
    return ", ".join(shown) or "none"


def defaults_markdown():
    """The tables, as Markdown text."""
    lines = []
    for kind, title, skip in KINDS:
        lines += [f"**{title}**", "", "| name | class | parameters (defaults) |", "|---|---|---|"]
        for name, cls in _items(kind):
            where = f"{cls.__module__.split('._')[0]}.{cls.__qualname__}"
            lines.append(f'| `"{name}"` | `{where}` | {_defaults(cls, skip)} |')
        lines.append("")
    return "\n".join(lines)


def write_defaults(path):
    """Write the tables to ``path`` (only when they changed, to keep rebuilds short)."""
    text = defaults_markdown()
    if not path.exists() or path.read_text() != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
