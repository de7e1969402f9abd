"""Claim text against proof: every claim that a Lean theorem can prove cites names that exist, each hypothesis
the claim's text states appears in a cited statement, and no cited theorem has a premise the claim's own
setting makes false (a theorem about ``r = σ`` does not prove anything about a run with ``e > 0``, where
``r² = λ²e + σ² > σ²``).

The logic is tested on a small synthetic inventory (statements written as ``#check @name`` prints them); the
real inventory part (``@pytest.mark.lean``) runs the project's checker (cached by content hash) and reports
precisely which name or hypothesis is missing.

Matching is on a normal form: whitespace, ``*`` and ``·`` dropped (juxtaposition is multiplication),
``lam`` spelled ``λ``, ``α̃`` spelled ``αt``, superscripts ``²``/``³`` as ``^2``/``^3``, structure projections
(``p.σ``, ``run.e``) and the mode/step index (``e t``, ``λ_k``) dropped.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from spectral_universality.report.build import judge_claims
from spectral_universality.report.claims import NAMESPACE

#: Per claim id: the hypotheses its text asserts (each must appear in the text and in some cited statement)
#: and the premises its setting makes false (no cited theorem may assume one).
ADAM_SETTING_FALSE = ["r = σ", "σ = r", "e = 0", "λ²e = 0", "ε = 0"]
SPEC: dict[str, dict[str, list[str]]] = {
    "sgd-energy": {"hypotheses": ["0 < αλ", "αλ < 2"], "forbidden": ["σ = 0", "α = 0"]},
    "adam-class": {"hypotheses": ["0 < σ", "λ²e ≤ εσ²"], "forbidden": ADAM_SETTING_FALSE},
    "class-profile": {"hypotheses": [], "forbidden": ["α = α̃"]},
    "s-hat-continuous": {"hypotheses": ["α̃ ≠ 0", "λ ≠ 0", "σ ≠ 0"], "forbidden": ["α = α̃"]},
    "s-hat-discrete": {"hypotheses": ["α ≠ 0", "α̃ ≠ 0"], "forbidden": ["α = α̃"]},
    "thm1-seed-shape": {"hypotheses": ["0 < σ"], "forbidden": ADAM_SETTING_FALSE},
    "thm1-lambda-squared": {"hypotheses": ["0 < σ"], "forbidden": ADAM_SETTING_FALSE},
    "thm1-literal": {"hypotheses": ["σ² ≠ 1"], "forbidden": ["σ = 1", "α = 0"]},
    "seed-step-two": {"hypotheses": [], "forbidden": ["Cβ = 0"]},
    "transfer-identity": {"hypotheses": [], "forbidden": []},
    "participation-ratio": {"hypotheses": [], "forbidden": []},
    "shell-cancellation": {"hypotheses": [], "forbidden": []},
    "gd-rate": {"hypotheses": [], "forbidden": []},
    "gd-rate-literal": {"hypotheses": [], "forbidden": []},
}

#: Theorems that must not be cited as proof of anything (vacuous for the claims' settings).
NEVER_CITED = {"adamDrift_eq_sgdDrift_of_noiseDominated", "AdamMode.adamDrift_eq_sgdDrift_classRate"}

_CTX = "∀ {F : Type} [inst : Lean.Grind.Field F] [inst_1 : LE F] [inst_2 : LT F] [inst_3 : Std.LawfulOrderLT F]"
#: A synthetic inventory: short name -> statement, in the shape ``#check @name`` prints.
SYNTHETIC = {
    "SgdRun.toSgdEnergyRun": f"{_CTX}, SgdRun F → SgdEnergyRun F",
    "SgdRun.energy_step": f"{_CTX} (run : SgdRun F) (t : ℕ),\n  run.e (t + 1) = (1 - run.α * run.lam) ^ 2 * run.e t "
                          "+ run.α ^ 2 * run.σ ^ 2",
    "sgdDrift_continuousSteadyState": f"{_CTX} (α lam σ : F), lam ≠ 0 → sgdDrift α lam σ "
                                      "(sgdContinuousSteadyState α lam σ) = 0",
    "sgdFixedPoint_isFixedPoint": f"{_CTX} (α lam σ : F), lam ≠ 0 → α * lam ≠ 2 → "
                                  "sgdEnergyStep α lam σ (sgdFixedPoint α lam σ) = sgdFixedPoint α lam σ",
    "sgdContraction_lt_one_iff": f"{_CTX} {{α lam : F}}, sgdContraction α lam < 1 ↔ 0 < α * lam ∧ α * lam < 2",
    "AdamRun.driftDeviation_le_noiseDominated":
        f"{_CTX} (run : AdamRun F) (ε : F) (t : ℕ),\n  0 < run.σ →\n    run.lam ^ 2 * run.e t ≤ ε * run.σ ^ 2 →\n"
        "      |adamDrift run.α run.lam run.σ (run.e t) (run.r t) - sgdDrift (classRate run.α run.σ) run.lam run.σ "
        "(run.e t)| ≤ ε * (classRate run.α run.σ * run.lam * run.e t + run.α ^ 2)",
    "sgdContinuousSteadyState_div": f"{_CTX} (α αt lam σ : F), αt ≠ 0 → lam ≠ 0 → σ ≠ 0 → "
                                    "sgdContinuousSteadyState α lam σ / sgdContinuousSteadyState αt lam σ = α / αt",
    "eq_of_discreteSteadyStateRatio_eq": f"{_CTX} {{α αt lamj lamk : F}}, α ≠ 0 → αt ≠ 0 → α * lamj ≠ 2 → "
                                         "α * lamk ≠ 2 → lamj ≠ lamk → discreteSteadyStateRatio α αt lamj = "
                                         "discreteSteadyStateRatio α αt lamk → α = αt",
    "lsSlope_add_const": f"{_CTX} (x y : ℕ → F) (c : F) (n : ℕ), lsSlope x (fun k => y k + c) n = lsSlope x y n",
    "perturbation_bound_seedShape":
        f"{_CTX} (p : AdamProfile F) (lam1 E : F), 0 ≤ p.α → 0 < p.σ → (∀ (k : ℕ), 0 ≤ p.lam k ∧ p.lam k ≤ lam1) "
        "→ (∀ (k : ℕ), 0 ≤ p.e k ∧ p.e k ≤ E) → ∀ (k : ℕ), |adamDrift p.α (p.lam k) p.σ (p.e k) (p.r k) - "
        "sgdDrift (classRate p.α p.σ) (p.lam k) p.σ (p.e k)| ≤ (2 * p.α / p.σ + p.α ^ 2 * lam1 / p.σ ^ 2) * "
        "p.lam k * E",
    "perturbation_bound_powerLaw":
        f"{_CTX} (p : AdamProfile F) (C s E : F), 0 ≤ p.α → 0 < p.σ → 1 ≤ s → (∀ (k : ℕ), 0 ≤ p.lam k ∧ "
        "p.lam k ≤ C * rpowNat k s) → ∀ (k : ℕ), |δ p k| ≤ seedConstant p C * seedShape k s * E",
    "perturbation_bound":
        f"{_CTX} (p : AdamProfile F) (lam1 E : F), 0 ≤ p.α → 0 < p.σ → (∀ (k : ℕ), 0 ≤ p.lam k ∧ p.lam k ≤ lam1) "
        "→ (∀ (k : ℕ), 0 ≤ p.e k ∧ p.e k ≤ E) → ∀ (k : ℕ), -(perturbationConstant p.α lam1 p.σ E * p.lam k ^ 2 * "
        "E) ≤ adamDrift p.α (p.lam k) p.σ (p.e k) (p.r k) - sgdDrift (classRate p.α p.σ) (p.lam k) p.σ (p.e k)",
    "not_exists_classDrift_sgd_adam_sameRate":
        f"{_CTX} {{α σ : F}}, α ≠ 0 → 0 < σ → σ ^ 2 ≠ 1 → ¬∃ f C b, ∀ (m : AdamMode F), m.α = α → m.σ = σ → "
        "0 ≤ m.lam → 0 ≤ m.e → ∀ (E : F), m.e ≤ E → (sgdDrift α m.lam σ m.e - f m.lam m.e ≤ C * b m.lam * E) ∧ "
        "(adamDrift α m.lam σ m.e m.r - f m.lam m.e ≤ C * b m.lam * E)",
    "not_exists_optimizerFree_classDrift":
        f"{_CTX} {{σ : F}}, σ ≠ 0 → ¬∃ f, ∀ (a : F), 0 < a → ∃ C b, ∀ (lam e E : F), 0 < lam → a * lam < 2 → "
        "0 ≤ e → e ≤ E → sgdDrift a lam σ e - f lam e ≤ C * b lam * E ∧ f lam e - sgdDrift a lam σ e ≤ C * b lam * E",
    "seedStepTwoBound_lt_succ": f"{_CTX} {{Cβ lamk lamk1 : F}}, 0 < Cβ → 0 < lamk1 → lamk1 < lamk → "
                                "Cβ / lamk < Cβ / lamk1",
    "lsSlope_comp_affine": f"{_CTX} (x y : ℕ → F) (a b : F) (n : ℕ), lsSlope x (fun k => a * x k + b) n = a",
    "one_le_participationRatio": f"{_CTX} (lam : ℕ → F) (n : ℕ), (∀ k, 0 ≤ lam k) → 1 ≤ participationRatio lam n",
    "quadForm_eq_zero_of_skew": f"{_CTX} (A : ℕ → ℕ → F) (x : ℕ → F) (n : ℕ), (∀ i j, A i j = -A j i) → "
                                "quadForm A x n = 0",
    "shellEnergyRate_eq": f"{_CTX} (d u c : ℕ → F) (Ω : ℕ → ℕ → F) (n : ℕ), shellEnergyRate d u c Ω n = 0",
    "sgdContraction_le_of_endpoints": f"{_CTX} {{η a b lam : F}}, a ≤ lam → lam ≤ b → sgdContraction η lam ≤ "
                                      "max (sgdContraction η a) (sgdContraction η b)",
    "sgdContraction_optimalStep_left": f"{_CTX} {{a b : F}}, 0 < a → a < b → sgdContraction (2 / (a + b)) a = "
                                       "((b - a) / (b + a)) ^ 2",
    "sgdContraction_optimalStep_right": f"{_CTX} {{a b : F}}, 0 < a → a < b → sgdContraction (2 / (a + b)) b = "
                                        "((b - a) / (b + a)) ^ 2",
    "sgdContraction_lt_sgdContraction_iff": f"{_CTX} {{η a b : F}}, 0 < a → a < b → (sgdContraction η a < "
                                            "sgdContraction η b ↔ 2 / (a + b) < η)",
    "exists_stable_sgdContraction_lt": f"{_CTX} {{a b : F}}, 0 < a → a < b → ∃ η, η < 2 / b ∧ "
                                       "sgdContraction η a < sgdContraction η b",
}


# --- normal form and premises ------------------------------------------------------------------------------

def norm(text: str) -> str:
    """The matching normal form (module docstring)."""
    t = text.replace("α̃", "αt").replace("²", "^2").replace("³", "^3")
    t = re.sub(r"\b[A-Za-z_][\w']*\.(?=[^\W\d])", "", t)  # projections and namespaces: p.σ -> σ
    t = re.sub(r"(?<![\w])lam", "λ", t)
    t = re.sub(r"_(?:k|t)\b", "", t)  # subscripts: λ_k, e_t
    t = re.sub(r"(?<=[\w)])\s+(?:k|t)\b", "", t)  # index application: e t, p.lam k
    return re.sub(r"\s+", "", t).replace("*", "").replace("·", "")


_OPEN, _CLOSE = "([{⦃⟨", ")]}⦄⟩"


def _split_top(text: str, sep: str) -> list[str]:
    """``text`` split at ``sep`` outside brackets."""
    parts, depth, cur, i = [], 0, [], 0
    while i < len(text):
        ch = text[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
        if depth == 0 and text.startswith(sep, i):
            parts.append("".join(cur))
            cur, i = [], i + len(sep)
            continue
        cur.append(ch)
        i += 1
    parts.append("".join(cur))
    return parts


def _binder_types(binders: str) -> list[str]:
    """Types of the bracketed binder groups ``(x y : T)``, ``{..}``, ``[..]`` in ``binders``."""
    out, depth, start = [], 0, None
    for i, ch in enumerate(binders):
        if ch in _OPEN:
            if depth == 0:
                start = i + 1
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
            if depth == 0 and start is not None:
                group = binders[start:i]
                out.append(_split_top(group, " : ")[-1] if " : " in group else group)
    return out


def premises(statement: str) -> list[str]:
    """The premises of a statement as ``#check @name`` prints it: binder types of leading ``∀`` groups and the
    antecedents of the top-level ``→`` chain (recursively into a ``∀`` conclusion)."""
    out: list[str] = []
    rest = " ".join(statement.split())
    while True:
        if rest.startswith("∀"):
            head, *tail = _split_top(rest[1:], ",")
            out += _binder_types(head)
            rest = ",".join(tail).strip()
            continue
        chain = [p.strip() for p in _split_top(rest, "→")]
        if len(chain) == 1:
            return out
        out += chain[:-1]
        rest = chain[-1]


def _wrapped(text: str) -> bool:
    """Whether ``text`` is one bracketed group ``( .. )``."""
    if not (text.startswith("(") and text.endswith(")")):
        return False
    depth = 0
    for i, ch in enumerate(text):
        depth += ch in _OPEN
        depth -= ch in _CLOSE
        if depth == 0 and i < len(text) - 1:
            return False
    return True


def _conjuncts(premise: str) -> list[str]:
    """Top-level conjuncts of a premise, each without outer parentheses or a leading ``∀ .., ``."""
    p = premise.strip()
    while _wrapped(p):
        p = p[1:-1].strip()
    if p.startswith("∀"):
        p = ",".join(_split_top(p[1:], ",")[1:]).strip()
    out = []
    for c in _split_top(p, "∧"):
        c = c.strip()
        while _wrapped(c):
            c = c[1:-1].strip()
        out.append(c)
    return out


def audit_claim(claim: dict, spec: dict[str, list[str]]) -> list[str]:
    """What is wrong with ``claim`` against the statements it carries (``claim["theorems"]``)."""
    cid, problems = claim["id"], []
    cited = claim.get("theorems") or []
    present = [t for t in cited if t.get("statement")]
    for t in cited:
        if not t.get("statement"):
            problems.append(f"{cid}: cited {t['name']} is not in the inventory (or has no statement)")
        if t["name"] in NEVER_CITED:
            problems.append(f"{cid}: cites {t['name']}, which must not be cited as proof")
    text = norm(claim["claim"])
    for hyp in spec["hypotheses"]:
        h = norm(hyp)
        if h not in text:
            problems.append(f"{cid}: hypothesis {hyp!r} is not stated in the claim text")
        if present and not any(h in norm(t["statement"]) for t in present):
            problems.append(f"{cid}: hypothesis {hyp!r} (normal form {h!r}) appears in no cited statement "
                            f"({', '.join(t['name'] for t in present)})")
    bad = {norm(f) for f in spec["forbidden"]}
    for t in present:
        for prem in premises(t["statement"]):
            for c in _conjuncts(prem):
                if norm(c) in bad:
                    problems.append(f"{cid}: {t['name']} assumes {c!r}, which the claim's setting makes false")
    return problems


# --- the claims under a given inventory ----------------------------------------------------------------------

def _results(statements: dict[str, str], audit: str = "synthetic") -> dict:
    return {"lean": {"checked": True, "ok": True, "audit": audit,
                     "theorems": {NAMESPACE + n: s for n, s in statements.items()}}}


def _provable(claims: list[dict]) -> list[dict]:
    return [c for c in claims if c.get("theorems")]


def test_normal_form_and_premises():
    assert norm("p.lam k ^ 2 * p.e k ≤ ε * p.σ ^ 2") == norm("λ²e ≤ εσ²") == "λ^2e≤εσ^2"
    assert norm("0 < run.σ") == norm("0 < σ") and norm("(hαt : αt ≠ 0)") == "(hαt:αt≠0)"
    st = SYNTHETIC["perturbation_bound"]
    ps = premises(st)
    assert "0 < p.σ" in ps and "0 ≤ p.α" in ps and "(∀ (k : ℕ), 0 ≤ p.e k ∧ p.e k ≤ E)" in ps
    assert not any("adamDrift" in p for p in ps)  # the conclusion is not a premise
    assert [norm(c) for c in _conjuncts("(∀ (k : ℕ), 0 ≤ p.e k ∧ p.e k ≤ E)")] == ["0≤e", "e≤E"]
    assert "r = σ" in premises(f"{_CTX} (α lam σ e r : F), r = σ → adamDrift α lam σ e r = 0")


def test_every_provable_claim_is_specified_and_consistent_with_a_synthetic_inventory():
    claims = judge_claims(_results(SYNTHETIC))
    provable = _provable(claims)
    assert provable, "no claim cites a theorem"
    unspecified = sorted(c["id"] for c in provable if c.get("id") not in SPEC)
    assert not unspecified, f"claims citing Lean with no hypothesis/premise spec in this test: {unspecified}"
    stale = sorted(set(SPEC) - {c["id"] for c in provable})
    assert not stale, f"spec entries for claims that no longer cite Lean: {stale}"
    problems = [p for c in provable for p in audit_claim(c, SPEC[c["id"]])]
    assert not problems, "\n".join(problems)
    assert all(c["verdict"] in ("proven", "refuted") for c in provable), \
        [(c["id"], c["verdict"], c["evidence"]) for c in provable if c["verdict"] not in ("proven", "refuted")]
    # each proven claim carries the statements it rests on
    for c in provable:
        assert all(t["statement"] == SYNTHETIC[t["name"]] for t in c["theorems"]), c["id"]


def test_audit_reports_a_missing_name_a_missing_hypothesis_and_a_vacuous_premise():
    name = "AdamRun.driftDeviation_le_noiseDominated"
    # the name is missing: the claim stays open, and the audit names it
    inv = {k: v for k, v in SYNTHETIC.items() if k != name}
    adam = next(c for c in judge_claims(_results(inv)) if c["id"] == "adam-class")
    assert adam["verdict"] == "open" and name in adam["evidence"]
    assert any(name in p and "not in the inventory" in p for p in audit_claim(adam, SPEC["adam-class"]))
    # the statement lacks the hypothesis the text states
    inv = {**SYNTHETIC, name: SYNTHETIC[name].replace("run.lam ^ 2 * run.e t ≤ ε * run.σ ^ 2", "0 ≤ ε")}
    adam = next(c for c in judge_claims(_results(inv)) if c["id"] == "adam-class")
    assert any("'λ²e ≤ εσ²'" in p and "appears in no cited statement" in p
               for p in audit_claim(adam, SPEC["adam-class"]))
    # the statement assumes r = σ (the old noise-dominated theorem): vacuous for a run with e > 0
    inv = {**SYNTHETIC, name: SYNTHETIC[name].replace("0 < run.σ →", "0 < run.σ → run.r t = run.σ →")}
    adam = next(c for c in judge_claims(_results(inv)) if c["id"] == "adam-class")
    assert any("assumes 'run.r t = run.σ'" in p for p in audit_claim(adam, SPEC["adam-class"]))
    inv = {**SYNTHETIC, name: SYNTHETIC[name].replace("0 < run.σ →", "0 < run.σ → run.lam ^ 2 * run.e t = 0 →")}
    adam = next(c for c in judge_claims(_results(inv)) if c["id"] == "adam-class")
    assert any("which the claim's setting makes false" in p for p in audit_claim(adam, SPEC["adam-class"]))


def test_vacuous_noise_dominated_theorems_are_not_cited():
    cited = {t["name"] for c in judge_claims(_results(SYNTHETIC)) for t in c.get("theorems") or []}
    assert not cited & NEVER_CITED


def test_lean_skipped_keeps_provable_claims_open_with_names_and_no_statements():
    claims = _provable(judge_claims({"lean": {"checked": False}}))
    assert claims and all(c["verdict"] == "open" for c in claims)
    assert all(t["statement"] is None for c in claims for t in c["theorems"])


@pytest.mark.lean
def test_claims_against_the_real_inventory():
    from types import SimpleNamespace

    from spectral_universality.errors import ToolchainError
    from spectral_universality.report.sec_lean import stage as lean_verdict

    try:
        lean = lean_verdict(SimpleNamespace(lean="check", lean_dir=Path(__file__).parents[2] / "lean"))
    except ToolchainError as exc:
        pytest.skip(f"no Lean toolchain: {exc}")
    assert lean["ok"], "the Lean library does not check"
    claims = judge_claims({"lean": lean})
    problems = []
    for c in _provable(claims):
        if c.get("id") not in SPEC:
            problems.append(f"{c.get('id')}: no spec in this test")
            continue
        if c["verdict"] not in ("proven", "refuted"):
            problems.append(f"{c['id']}: verdict {c['verdict']} ({c['evidence']})")
        problems += audit_claim(c, SPEC[c["id"]])
    assert not problems, "\n".join(problems)


def test_page_shows_each_cited_statement_escaped_beside_the_verdict(tmp_path):
    from spectral_universality.report.html import write_html

    claims = [c for c in judge_claims(_results(SYNTHETIC)) if c.get("id") == "adam-class"]
    report = {"meta": {"quick": True, "device": "cpu", "seed": 0, "stage_seconds": {}}, "results": {},
              "claims": claims, "figures": []}
    write_html(report, tmp_path / "index.html")
    page = (tmp_path / "index.html").read_text()
    row = page[page.index("AdamRun.driftDeviation_le_noiseDominated"):]
    row = row[: row.index("</tr>")]
    assert "<span class='st'" in row and "0 &lt; run.σ → run.lam ^ 2 * run.e t ≤ ε * run.σ ^ 2" in row
    assert "|adamDrift" in row and "<span class='v'" not in row  # statements sit in the evidence cell
    assert page.index("<span class='v'") < page.index("AdamRun.driftDeviation_le_noiseDominated</code>")
