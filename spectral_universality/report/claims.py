"""What a claim verdict is, and the helpers the section modules build their claims with.

Verdicts: ``proven`` (a Lean theorem the checker accepted in this run), ``refuted`` (a proved
counterexample, or an experiment whose prediction failed), ``supported`` (an experiment whose prediction
held), ``open`` (neither: no checked theorem, or no experiment that decides it). Every verdict is derived from
the report's results, never typed in; :func:`~.build.judge_claims` collects them section by section.

A claim that Lean can decide carries ``id`` and ``theorems``: each cited name with its statement as the
checker printed it in this run (``None`` where the name is not in the checked library), so the page shows
what the verdict rests on; ``tests/cli/test_claims_text.py`` checks the claim's stated hypotheses against
those statements.
"""

from __future__ import annotations

import math

NAMESPACE = "SpectralUniversality."


def _checked(lean: dict) -> dict[str, tuple[str, str | None]]:
    """Short name -> (kind, statement) of every theorem and definition the checker accepted in this run."""
    out: dict[str, tuple[str, str | None]] = {}
    for kind, table in (("definition", lean.get("definitions") or {}), ("theorem", lean.get("theorems") or {})):
        for name, statement in table.items():
            out[name.split(NAMESPACE, 1)[-1]] = (kind, statement or None)
    return out


def _proved(lean: dict, names: tuple[str, ...]) -> tuple[bool, str]:
    """Were all ``names`` (without the namespace) proved in this run? And the evidence text."""
    if not lean.get("checked"):
        return False, "Lean library not checked in this run"
    if not lean.get("ok"):
        return False, "Lean check failed"
    proved = _checked(lean)
    missing = [n for n in names if n not in proved]
    if missing:
        return False, f"theorem(s) not in the checked library: {', '.join(missing)}"
    return True, "Lean: " + ", ".join(names) + f" ({lean.get('audit', 'audit')})"


def cited_statements(lean: dict, names: tuple[str, ...]) -> list[dict]:
    """Each cited name with its Lean statement from this run's inventory (``None`` where it has none).

    Parameters
    ----------
    lean
        The Lean section's result (``report.json["results"]["lean"]``).
    names
        Declaration names without the library namespace.
    """
    checked = _checked(lean)
    axioms = {k.split(NAMESPACE, 1)[-1]: v for k, v in (lean.get("axioms") or {}).items()}
    return [{"name": n, "kind": checked.get(n, (None, None))[0], "statement": checked.get(n, (None, None))[1],
             "axioms": axioms.get(n)} for n in names]


def proof_claim(cid: str, where: str, claim: str, lean: dict, names: tuple[str, ...], refutes: bool = False,
                extra: str = "") -> dict:
    """A claim Lean decides: ``proven`` (or ``refuted``, for a proved counterexample) when every cited
    declaration is in this run's checked library, ``open`` otherwise; ``extra`` is appended to the evidence."""
    ok, evidence = _proved(lean, names)
    verdict = ("refuted" if refutes else "proven") if ok else "open"
    return {"id": cid, "where": where, "claim": claim, "verdict": verdict,
            "evidence": evidence + (f"; {extra}" if extra else ""), "theorems": cited_statements(lean, names)}


def experiment_claim(where: str, claim: str, holds: bool | None, evidence: str, cid: str | None = None) -> dict:
    """A claim an experiment decides: ``supported``/``refuted`` as its prediction held or failed, ``open``
    where ``holds`` is ``None`` (not measured, or not decidable by this run)."""
    verdict = "open" if holds is None else ("supported" if holds else "refuted")
    out = {"where": where, "claim": claim, "verdict": verdict, "evidence": evidence}
    return {"id": cid, **out} if cid else out


def round_se(x: float, se: float) -> str:
    """``x ± se`` with ``x`` rounded to the first significant digit of ``se`` (two when it starts with 1)."""
    if not (math.isfinite(x) and math.isfinite(se) and se > 0):
        return f"{x:.3g} ± {se:.2g}"
    lead = int(math.floor(math.log10(se)))
    digits = max(0, -(lead - (1 if f"{se:e}".startswith("1") else 0)))
    return f"{x:.{digits}f} ± {se:.{digits}f}"
