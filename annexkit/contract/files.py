"""The one rule for the mode of the files annexkit writes (forms, reports, copies)."""

from __future__ import annotations

import os


def new_file_mode() -> int:
    """The mode of every file annexkit writes: ``0666 & ~umask``, what the user's umask
    gives any new file (``umask 077`` keeps forms and reports private). A file made through
    a private temporary file (:func:`tempfile.mkstemp`, 0600) is set to it before it is
    moved into place."""
    return 0o666 & ~_umask()


def _umask() -> int:
    # Read from /proc where it exists: setting the umask to read it back changes it, for a
    # moment, for every thread of the process.
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
