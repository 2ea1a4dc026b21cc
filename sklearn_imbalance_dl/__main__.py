"""Command line: ``python -m sklearn_imbalance_dl <command>`` or ``sklearn-imbalance-dl <command>``.

Each command is a module with ``HELP``, ``DESCRIPTION``, ``add_arguments(parser)``
(which sets ``func``, called with the parsed arguments and returning the exit status);
adding a command is adding a line to :data:`COMMANDS`.
"""

import argparse
import importlib
import sys

#: command name -> module implementing it.
COMMANDS = {
    "compare": "sklearn_imbalance_dl.compare._cli",
}


class _Parser(argparse.ArgumentParser):
    """Usage errors on one line (exit status 2), as the commands report theirs."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser():
    """The top-level parser with one sub-parser per command."""
    parser = _Parser(
        prog="sklearn-imbalance-dl",
        description="Deep-learning answers to class imbalance behind scikit-learn estimators.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="command")
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(module_name)
        sub = subparsers.add_parser(name, help=module.HELP, description=module.DESCRIPTION)
        module.add_arguments(sub)
    return parser


def main(argv=None):
    """Run a command; return its exit status (0: success, 2: usage or data error, 130: Ctrl-C).

    Parameters
    ----------
    argv : list of str, default=None
        The arguments after the program name; None reads ``sys.argv``.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error already printed
        return exc.code if isinstance(exc.code, int) else 2
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
