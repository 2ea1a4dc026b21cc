"""Command line: ``python -m sklearn_imbalance_dl <command>`` or ``sklearn-imbalance-dl <command>``.

Each command is a module with ``HELP``, ``DESCRIPTION``, ``add_arguments(parser)``
(which sets ``func``, called with the parsed arguments and returning the exit status);
adding a command is adding a line to :data:`COMMANDS`.
"""

# Only light modules here: Ctrl-C is caught from the start of run_program, and the
# commands' modules (torch, scikit-learn: seconds to import) load inside it.
import argparse
import importlib
import os
import sys

from ._console import EXIT_INTERRUPTED, stdout_to_devnull

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
    from . import __version__  # the package's __init__ is light: no torch

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="command")
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(module_name)
        sub = subparsers.add_parser(name, help=module.HELP, description=module.DESCRIPTION)
        module.add_arguments(sub)
    return parser


def main(argv=None):
    """Run a command; return its exit status (0: success, 2: usage or data error, 130: Ctrl-C).

    What the command prints that stdout's encoding cannot show ("±" on an ASCII or
    Windows terminal) is written in ASCII ("+/-"); its files stay UTF-8.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments after the program name; None reads ``sys.argv``.
    """
    from ._console import readable_output

    with readable_output():
        return _main(argv)


def _main(argv):
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error already printed
        return exc.code if isinstance(exc.code, int) else 2
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    return args.func(args)


def run_program():
    """The program ``sklearn-imbalance-dl`` (and ``python -m sklearn_imbalance_dl``).

    Runs :func:`main` on ``sys.argv`` and exits with its status. After Ctrl-C (status
    130) it ends by SIGINT once Python has cleaned up, as an interrupted program should
    on POSIX: a shell shows 130 and stops the script that called it; a Python parent
    sees ``returncode == -2``. (Left to itself, CPython under ``python -m`` does so only
    when the interrupt lands in certain C code, and exits 130 otherwise.)
    """
    try:
        status = main()
    except KeyboardInterrupt:
        # Ctrl-C before a command took charge of it, e.g. while the libraries load:
        # the one-line report of the commands, not an import traceback.
        argv = sys.argv[1:2]
        name = f" {argv[0]}" if argv and argv[0] in COMMANDS else ""
        print(f"sklearn-imbalance-dl{name}: interrupted (Ctrl-C)", file=sys.stderr)
        status = EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader of --help (or of another print) stopped reading
        stdout_to_devnull()
        status = 0
    if status == EXIT_INTERRUPTED and os.name == "posix":
        # Uncaught, a KeyboardInterrupt makes CPython end by SIGINT after its clean-up;
        # the hook keeps the traceback out, as the report is already on stderr.
        sys.excepthook = _quiet_keyboard_interrupt
        raise KeyboardInterrupt
    sys.exit(status)


def _quiet_keyboard_interrupt(exc_type, exc, traceback):
    if not issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, traceback)


if __name__ == "__main__":
    run_program()
