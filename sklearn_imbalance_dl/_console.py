"""Printing on any terminal: the programs' non-ASCII characters where it cannot show
them, and stdout that a reader stops reading (:func:`say`).

The comparison tables and the benchmark reports print "±", "×", "ρ", "Δ" and dashes.
Where stdout's encoding lacks them (``PYTHONIOENCODING=ascii``, a C locale, a Windows
console or pipe), Python raises ``UnicodeEncodeError`` at the first one, after the work
is done. Inside :func:`readable_output`, such characters are written in ASCII instead
("+/-", "x", "rho", "delta", "-"; any other as a backslash escape, ``\\u2208``); the
files the programs write are UTF-8 and keep them.
"""

import codecs
import contextlib
import os
import sys
import unicodedata

#: The status of a run that Ctrl-C ended (130, as a shell reports it); the commands
#: return it too.
EXIT_INTERRUPTED = 130

#: ASCII spellings of the non-ASCII characters the programs print.
ASCII_SPELLINGS = {
    "±": "+/-",
    "×": "x",
    "ρ": "rho",
    "γ": "gamma",
    "Δ": "delta",
    "–": "-",
    "—": "-",
    "−": "-",
    "→": "->",
    "≤": "<=",
    "≥": ">=",
    "≫": ">>",
    "≈": "~",
    "∝": "~",
    "…": "...",
}
#: The name of the error handler of :func:`readable_output` (``codecs.register_error``).
ERRORS = "sklearn_imbalance_dl.ascii_spelling"
# Error handlers that let these characters through unreadable or not at all.
_REPLACED = ("strict", "surrogateescape", "backslashreplace")


def _ascii_spelling(error):
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start : error.end]
    spelled = "".join(
        ASCII_SPELLINGS.get(char) or char.encode("ascii", "backslashreplace").decode("ascii")
        for char in text
    )
    return spelled, error.end


codecs.register_error(ERRORS, _ascii_spelling)


def shown_width(text, stream=None):
    """The columns ``text`` takes when printed on ``stream`` (stdout by default).

    A character the stream cannot encode takes its ASCII spelling's width (as
    :func:`readable_output` writes it), a wide East Asian character two columns, a
    combining mark none.
    """
    encoding = getattr(sys.stdout if stream is None else stream, "encoding", None) or "utf-8"
    width = 0
    for char in text:
        try:
            char.encode(encoding)
        except (UnicodeEncodeError, LookupError):
            width += len(_ascii_spelling(UnicodeEncodeError(encoding, char, 0, 1, ""))[0])
            continue
        if not unicodedata.combining(char):
            width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


@contextlib.contextmanager
def readable_output():
    """Write stdout's and stderr's unencodable characters in ASCII, for the duration.

    A context manager, and a decorator (``@readable_output()``) of a program's ``main``.
    Streams that encode every character (UTF-8) print as before; a stream that is not
    a text file of the io module (a ``StringIO``) is left alone.
    """
    changed = []
    for stream in (sys.stdout, sys.stderr):
        errors = getattr(stream, "errors", None)
        if errors in _REPLACED and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors=ERRORS)
            except (ValueError, OSError):  # closed
                continue
            changed.append((stream, errors))
    try:
        yield
    finally:
        for stream, errors in changed:
            with contextlib.suppress(ValueError, OSError):
                stream.reconfigure(errors=errors)


def say(text):
    """Print a command's ``text`` on stdout.

    A reader that stops reading (``sklearn-imbalance-dl compare | head``) ends what
    stdout shows, not the command: the rest of its output goes nowhere, and the files
    it was asked for are still written.
    """
    try:
        print(text, flush=True)  # flushed here, so that a closed pipe is met here
    except BrokenPipeError:
        stdout_to_devnull()


def stdout_to_devnull():
    """Send the rest of stdout, and Python's flush of it at exit, to the null device."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
