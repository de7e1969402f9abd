"""Error types shared by every layer.

The CLI turns any :class:`SpectralUniversalityError` into one line on stderr and exit code 2, so every
message must say what is wrong and, where one applies, which hypothesis it breaks.
"""


class SpectralUniversalityError(Exception):
    """Base class: a problem the user can fix (bad input, missing tool), never a bug."""


class HypothesisViolation(SpectralUniversalityError, ValueError):
    """A parameter lies outside the region where a derivation or theorem holds.

    Parameters
    ----------
    condition : str
        The violated condition as text, e.g. ``"0 < alpha*lam < 2"``.
    detail : str
        What was given, e.g. ``"alpha*lam = 2.4"``.
    """

    def __init__(self, condition: str, detail: str = "") -> None:
        self.condition = condition
        self.detail = detail
        msg = f"hypothesis violated: {condition}"
        if detail:
            msg += f" ({detail})"
        super().__init__(msg)


class InputError(SpectralUniversalityError, ValueError):
    """A user-supplied file, array or option is malformed (missing, wrong keys or shapes, non-finite)."""


class ToolchainError(SpectralUniversalityError, RuntimeError):
    """A required external tool (Lean, Node, npm) is missing or failed to install."""
