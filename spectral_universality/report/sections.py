"""The report's sections, core (seed 000) and companion (seeds 001–004), in the one list the builder iterates.

A section is a module under ``spectral_universality.report`` with

- ``stage(ctx) -> dict`` (``ctx`` a :class:`.context.Context`): its numbers, stored verbatim in ``report.json``
  under the section's key (its ``summary``, where it has one, holds the few the page prints);
- one function ``(result, path) -> caption | None`` per figure its entry names (``figure`` unless it draws
  several), drawn from its own result only, so every plotted number is in the JSON;
- ``claims(result, **reads) -> list[dict]``: its verdicts, from its own result and the results of the sections
  its entry ``reads`` (the Lean section reads §5.1 for the size of a proved effect on ŝ).
  A section's claims are judged only when its stage ran.

This module imports no section: each is loaded on first use (most pull in torch, SymPy or an experiment), so
the builder and the page import it without an import cycle, and ``--help`` stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from types import ModuleType


@dataclass(frozen=True)
class Section:
    """One entry of :data:`SECTIONS`.

    Attributes
    ----------
    key
        Where the stage's result goes in ``report.json["results"]``.
    title
        The stage's title (progress bar, page headings, stage times).
    module
        The section module under ``spectral_universality.report``.
    figures
        ``(file, title, function)`` per figure: the PNG's name in the output folder, its title on the page and
        the module's function that draws it.
    reads
        Keys of other sections whose results ``claims`` also receives, as keyword arguments.
    shown
        For a result without a ``summary``: the parts of it the page shows.
    """

    key: str
    title: str
    module: str
    figures: tuple[tuple[str, str, str], ...] = ()
    reads: tuple[str, ...] = ()
    shown: tuple[str, ...] = ()

    def load(self) -> ModuleType:
        """The section module, imported on first use."""
        return import_module(f"{__package__}.{self.module}")


def _companion(key: str, title: str, module: str) -> Section:
    """A companion seed's section: one figure, ``<key>.png``, titled like the section."""
    return Section(key, title, module, figures=((f"{key}.png", title, "figure"),))


#: The seed-000 sections: closed forms, the Lean library, Theorem 1's perturbation, §5.1, §5.3, §5.2.
CORE: tuple[Section, ...] = (
    Section("closed_forms", "Closed forms (SymPy)", "sec_closed_forms"),
    Section("lean", "Lean library", "sec_lean", reads=("benchmark_5_1",)),
    Section("perturbation", "Adam's deviation from the class drift", "sec_perturbation",
            figures=(("perturbation.png", "Adam's deviation from the class drift against the proved bound",
                      "figure"),)),
    Section("benchmark_5_1", "§5.1 planted-spectrum benchmark", "sec_classes",
            figures=(("energies.png", "Mode energies per optimizer", "figure"),
                     ("s_hat.png", "ŝ by planted s and optimizer", "figure_s_hat")),
            shown=("clustering", "rows", "discrete_profile_effect")),
    Section("transition_5_3", "§5.3 transition scan", "sec_transitions",
            figures=(("transitions.png", "Transition map", "figure"),),
            shown=("divergence", "adam_noise_signal", "marchenko_pastur")),
    Section("benchmark_5_2", "§5.2 real models (digits)", "sec_real"),
)

#: The companion seeds' sections (001–004).
COMPANIONS: tuple[Section, ...] = (
    _companion("transfer", "Seed 001: spectral transfer identity s = αγ", "sec_transfer"),
    _companion("gradient_manifold", "Seed 001: predictable gradient manifolds", "sec_gradient_manifold"),
    _companion("shells", "Seed 002: spectral-shell energy dynamics", "sec_shells"),
    _companion("alignment", "Seed 003: spectral alignment of SGD", "sec_alignment"),
    _companion("certificate", "Seed 004: spectral certificate", "sec_certificate"),
)

#: Every section in stage order: the order of ``report.json``'s results, of the figures and of the claims.
SECTIONS: tuple[Section, ...] = CORE + COMPANIONS
