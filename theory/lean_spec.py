"""A Lean certificate per optimizer spec: SymPy proposes the stationary covariance, the Lean kernel checks it.

:func:`lean_module` writes one Lean module for an :class:`~spectral_universality.theory.spec.OptimizerSpec`:

* ``<name>Step`` — the spec's update lines translated *literally* (from the same Python syntax tree the spec
  parser reads, never from SymPy's composed ``(A, b)``) into a Lean function on a generated state structure
  and one noise draw ``ξ``;
* ``<name>A``/``<name>B`` — the one-step matrix and noise column *defined in Lean from the step*: entry
  ``(i, j)`` of ``A`` is coordinate ``i`` of the step from the basis state ``e_j`` with ``ξ = 0``, entry ``i`` of
  ``B`` coordinate ``i`` of the step from ``0`` with ``ξ = 1``; ``<name>Step_get_eq`` proves the step is
  ``x ↦ A x + B ξ``, so these are the step's matrices;
* ``<name>Cov`` — SymPy's closed-form stationary covariance (over the common denominator ``<name>CovDen``);
* ``<name>Cov_isStationary`` — ``S = A S Aᵀ + B Bᵀ`` entrywise, over any ordered field, whenever the
  denominator factors are non-zero; ``<name>_denominators_ne_zero`` — the spec's domain and Jury/Schur–Cohn
  conditions imply those factors are non-zero (each through a condition of which it is a factor: the factor
  hint ``0 < f * r`` is SymPy's, checked by ``grind``); ``<name>Cov_isStationary_of_stable`` combines them;
* an ``example`` at rational parameter values inside the stability region (noise ``σ ≠ 0``) discharging every
  hypothesis and evaluating the read-out's stationary energy (non-zero), so the theorems are not vacuous.

A field has no square roots: curvature noise (``n = σ √lam ξ``) gets its amplitude as a variable ``nz`` with the
hypothesis ``nz ^ 2 = σ ^ 2 * lam``. A power with a non-numeral exponent (``lam ** (-p)`` in ``precond``)
becomes a fresh variable (``P``) with the hypothesis ``0 < P``; conditions that mention only the exponent
(``0 <= p <= 1``) are dropped, and SymPy's closed forms are rewritten in the variable.

``python -m spectral_universality.theory.lean_spec --write lean/`` (re)writes the committed modules of every
built-in (``lean/SpectralUniversality/Spec/<Name>.lean``) and ``--check`` fails if that would change them.
"""

from __future__ import annotations

import argparse
import ast
import sys
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import product
from pathlib import Path

import sympy
from sympy import Expr

from spectral_universality.errors import InputError
from spectral_universality.theory.core import SYMBOLS
from spectral_universality.theory.lean_terms import LEAN_NAMES, to_lean
from spectral_universality.theory.spec import (OptimizerSpec, builtin, builtin_names, derive_spec, param_symbol,
                                               parse_expression)

#: Lean namespace of every generated module
NAMESPACE = "SpectralUniversality.Spec"
#: folder (under the Lake package's ``SpectralUniversality/``) of the built-ins' modules
SUBDIR = "Spec"
_KEYWORDS = {"fun", "at", "by", "have", "show", "from", "end", "in", "do", "then", "else", "if", "let", "match",
             "with", "open", "theorem", "def", "example", "where", "structure", "inductive", "namespace",
             "section", "variable", "universe", "instance", "class", "deriving", "calc", "suffices", "obtain",
             "using", "only", "import", "module", "public", "private", "protected", "noncomputable", "partial",
             "mutual", "local", "set_option", "attribute", "forall", "exists", "Type", "Prop", "Sort", "this",
             "get", "basis", "x", "n", "g", "w", "ξ", "nz", "F", "h0", "h1", "hD", "hw", "i", "j", "rfl"}
_SAMPLE = {"alpha": ["1/10", "1/5", "1/20"], "mu": ["1/2", "9/10"], "beta": ["1/2", "9/10"],
           "beta1": ["1/2", "9/10"], "nu": ["1/2", "7/10"], "wd": ["1/10", "1/2"], "lam": ["4", "1", "1/4"],
           "sigma": ["3", "2"]}
_DEFAULT_SAMPLE = ["1/2", "1/10", "2", "9/10"]


def camel(name: str) -> str:
    """``sgd-wd`` -> ``sgdWd`` (the prefix of every generated name)."""
    parts = [p for p in name.replace("_", "-").split("-") if p]
    return parts[0][0].lower() + parts[0][1:] + "".join(p[0].upper() + p[1:] for p in parts[1:])


def type_prefix(name: str) -> str:
    c = camel(name)
    return c[0].upper() + c[1:]


def module_name(spec: OptimizerSpec) -> str:
    """``SpectralUniversality.Spec.<Name>`` of a spec's generated module."""
    return f"SpectralUniversality.{SUBDIR}.{type_prefix(spec.name)}"


def generated_theorems(spec: OptimizerSpec) -> dict[str, str]:
    """Role -> fully qualified name of each public theorem of :func:`lean_module` ``(spec)``."""
    c = camel(spec.name)
    return {"step_linear": f"{NAMESPACE}.{c}Step_get_eq",
            "stationary": f"{NAMESPACE}.{c}Cov_isStationary",
            "denominators": f"{NAMESPACE}.{c}_denominators_ne_zero",
            "stationary_of_stable": f"{NAMESPACE}.{c}Cov_isStationary_of_stable"}


# ---------------------------------------------------------------------------------------------- names
def _ident(name: str) -> str:
    """Lean identifier of a spec name (canonical Greek letters; a clash with a keyword or an internal name
    gets a trailing ``_``)."""
    out = LEAN_NAMES.get(name, name)
    return out + "_" if out in _KEYWORDS else out


@dataclass
class _Atom:
    """A power with a non-numeral exponent, replaced by a fresh Lean variable."""

    lean: str
    base: Expr
    exponent: Expr
    sym: sympy.Symbol


@dataclass
class _Ctx:
    spec: OptimizerSpec
    atoms: list[_Atom] = field(default_factory=list)
    divisors: list[tuple[str, Expr]] = field(default_factory=list)  # (literal Lean text, SymPy form)
    used: set[str] = field(default_factory=set)  # parameters the step names outside atom exponents

    @property
    def curvature(self) -> bool:
        return self.spec.noise == "curvature"

    def env(self) -> dict:
        lam = SYMBOLS["lam"]
        return {**{p: param_symbol(p) for p in self.spec.params}, "lam": lam, "sigma": SYMBOLS["sigma"]}

    def arg_names(self) -> list[str]:
        in_atoms = {s.name for a in self.atoms for s in a.exponent.free_symbols}
        names = [_ident(p) for p in self.spec.params if p in self.used or p not in in_atoms] + ["lam", "σ"] + [a.lean for a in self.atoms]
        return names + (["nz"] if self.curvature else [])

    def binders(self) -> str:
        return "(" + " ".join(self.arg_names()) + " : F)"

    def app(self) -> str:
        return " ".join(self.arg_names())

    def subst(self, expr: Expr) -> Expr:
        """``expr`` with every atom power ``base ** (k + m * exponent)`` as ``base ** k * atom ** m``."""
        expr = sympy.sympify(expr)
        for atom in self.atoms:
            def rewrite(e: Expr, atom: _Atom = atom) -> Expr:
                if not (e.is_Pow and e.base == atom.base):
                    return e
                m = sympy.simplify(sympy.diff(e.exp, list(atom.exponent.free_symbols)[0])
                                   / sympy.diff(atom.exponent, list(atom.exponent.free_symbols)[0]))
                k = sympy.simplify(e.exp - m * atom.exponent)
                if not (m.is_Integer and k.is_Integer):
                    return e
                return atom.base ** k * atom.sym ** m
            expr = expr.replace(lambda e: e.is_Pow and not e.exp.is_Integer, rewrite)
        return expr

    def lean(self, expr: Expr) -> str:
        names = {p: _ident(p) for p in self.spec.params} | {a.sym.name: a.lean for a in self.atoms}
        return to_lean(self.subst(expr), names)


# ---------------------------------------------------------------------------------------------- the step
_PREC = {ast.Add: 65, ast.Sub: 65, ast.Mult: 70, ast.Div: 70, ast.Pow: 75}
_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "^"}


def _step_lines(ctx: _Ctx, state_type: str) -> list[str]:
    """The body of ``<name>Step``: one ``let`` per update line, in order, translated from the syntax tree."""
    spec = ctx.spec
    noise = "nz" if ctx.curvature else "σ"
    updated: set[str] = set()
    params = {p: _ident(p) for p in spec.params}

    def var(name: str) -> str:
        return _ident(name) if name in updated else f"x.{_ident(name)}"

    def num(value) -> tuple[str, int]:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InputError(f"spec {spec.name!r}: constant {value!r} is not a number")
        if isinstance(value, int):
            return str(value), 1024
        fr = Fraction(repr(value))
        return (str(fr.numerator), 1024) if fr.denominator == 1 else (f"({fr.numerator} / {fr.denominator})", 1024)

    def walk(node: ast.AST, where: str, text: str) -> tuple[str, int]:
        if isinstance(node, ast.Constant):
            return num(node.value)
        if isinstance(node, ast.Name):
            if node.id in spec.state:
                return var(node.id), 1024
            if node.id in params:
                ctx.used.add(node.id)
                return params[node.id], 1024
            if node.id == "g":
                return "g", 1024
            if node.id == "lam":
                return "lam", 1024
            if node.id == "sigma":
                return "σ", 1024
            raise InputError(f"{where}: unknown name {node.id!r}")
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            t, p = walk(node.operand, where, text)
            if isinstance(node.op, ast.UAdd):
                return t, p
            return "-" + (t if p > 75 else f"({t})"), 75
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "grad":
            t, _ = walk(node.args[0], where, text)
            return f"(lam * ({t}) + n)", 1024
        if isinstance(node, ast.Call):
            raise InputError(f"{where}: {ast.unparse(node)} has no Lean form over a field (no square roots)")
        if isinstance(node, ast.BinOp) and type(node.op) in _PREC:
            prec = _PREC[type(node.op)]
            if isinstance(node.op, ast.Pow):
                e = node.right
                if isinstance(e, ast.Constant) and isinstance(e.value, int) and not isinstance(e.value, bool) \
                        and e.value >= 0:
                    b, bp = walk(node.left, where, text)
                    return f"{b if bp > 75 else f'({b})'} ^ {e.value}", 75
                return _atom(ctx, node, where), 1024
            a, ap = walk(node.left, where, text)
            b, bp = walk(node.right, where, text)
            if isinstance(node.op, ast.Div):
                env = {**ctx.env(), **{v: sympy.Symbol(f"{v}__x") for v in spec.state},
                       "g": sympy.Symbol("g__x"), "grad": lambda x: x, "sqrt": sympy.sqrt}
                d = parse_expression(ast.unparse(node.right), env, where)
                if d.free_symbols & {s for s in d.free_symbols if s.name.endswith("__x")}:
                    raise InputError(f"{where}: division by the state in {text!r}")
                ctx.divisors.append((b if bp > prec else f"({b})", d))
            left = a if ap >= prec else f"({a})"
            right = b if bp > prec else f"({b})"
            return f"{left} {_OPS[type(node.op)]} {right}", prec
        raise InputError(f"{where}: {type(node).__name__} is not allowed in {text!r}")

    lines = [f"let n := {noise} * ξ", f"let g := lam * x.{_ident('theta')} + n"]
    for v, text in spec.update:
        where = f"spec {spec.name!r}, update of {v}"
        tree = ast.parse(text.strip(), mode="eval").body
        body, _ = walk(tree, where, text)
        lines.append(f"let {_ident(v)} := {body}")
        updated.add(v)
    fields = ", ".join(var(v) for v in spec.state)
    lines.append(f"(⟨{fields}⟩ : {state_type} F)")
    return lines


def _atom(ctx: _Ctx, node: ast.BinOp, where: str) -> str:
    env = {**ctx.env(), "grad": lambda x: x, "sqrt": sympy.sqrt}
    base = parse_expression(ast.unparse(node.left), env, where)
    exponent = parse_expression(ast.unparse(node.right), env, where)
    if not (base.is_Symbol and base.name == "lam") or len(exponent.free_symbols) != 1 \
            or not sympy.Poly(exponent, *exponent.free_symbols).is_linear:
        raise InputError(f"{where}: the power {ast.unparse(node)} has no Lean form (only lam ** (linear in one "
                         "parameter) becomes a variable)")
    for a in ctx.atoms:
        if a.base == base and sympy.simplify(a.exponent - exponent) == 0:
            return a.lean
    lean = "P" if not ctx.atoms else f"P{len(ctx.atoms) + 1}"
    ctx.atoms.append(_Atom(lean, base, exponent, sympy.Symbol(lean, positive=True)))
    return lean


# ---------------------------------------------------------------------------------------------- conditions
@dataclass
class _Hyp:
    name: str
    lean: str  # the proposition
    strict: Expr | None  # e with the hypothesis 0 < e, if strict
    meaning: str


def _canon(expr: Expr) -> Expr:
    """``expr`` in the canonical symbols (the conditions come in plain real symbols of the same names)."""
    expr = sympy.sympify(expr)
    return expr.xreplace({s: SYMBOLS[s.name] if s.name in SYMBOLS else param_symbol(s.name)
                          for s in expr.free_symbols})


def _rel_parts(pred) -> list:
    if isinstance(pred, sympy.And):
        return [r for a in pred.args for r in _rel_parts(a)]
    return [pred]


def _slug(expr: Expr) -> str:
    if expr.is_Symbol:
        return _ident(expr.name)
    if expr == 0:
        return "zero"
    if expr == 1:
        return "one"
    return ""


def _hypotheses(ctx: _Ctx, d) -> list[_Hyp]:
    """Domain conditions and Jury/Schur–Cohn conditions of ``d`` as Lean hypotheses ``0 < e``, ``a ≤ b`` …"""
    n = len(ctx.spec.state)
    jury_names = (["hstable_one", "hstable_neg_one"] if n == 1 else
                  ["hstable_one", "hstable_neg_one", "hstable_det_lt", "hstable_det_gt"] if n == 2 else
                  [f"hstable_{k}" for k in range(len(d.conditions))])
    jury_meaning = (["p(1) > 0 for p(z) = det(zI - A)", "-p(-1) > 0"] if n == 1 else
                    ["p(1) > 0 for p(z) = det(zI - A)", "p(-1) > 0", "det A < 1", "det A > -1"] if n == 2 else
                    [f"Schur–Cohn step {k}" for k in range(len(d.conditions))])
    lean_syms = {sympy.Symbol(p, real=True) for p in ctx.spec.params} | {sympy.Symbol("lam", real=True),
                                                                       sympy.Symbol("sigma", real=True)}
    atom_exp_syms = {s.name for a in ctx.atoms for s in a.exponent.free_symbols}
    out: list[_Hyp] = []
    used: set[str] = set()
    jury_forms = [d.forms[k] for k in sorted((k for k in d.forms if k.startswith("jury_")),
                                             key=lambda k: int(k.split("_")[1]))]
    n_dom = len(d.conditions) - len(jury_forms)
    for idx, cond in enumerate(d.conditions):
        for rel in _rel_parts(cond.predicate):
            lhs, rhs = rel.lhs, rel.rhs
            if isinstance(rel, (sympy.StrictGreaterThan, sympy.GreaterThan)):
                lhs, rhs = rhs, lhs
            strict = isinstance(rel, (sympy.StrictLessThan, sympy.StrictGreaterThan))
            names = {s.name for s in (lhs - rhs).free_symbols}
            if names & atom_exp_syms and not names - atom_exp_syms:
                continue  # a condition on the exponent of an atom only
            if idx >= n_dom:
                k = idx - n_dom
                e = sympy.factor(ctx.subst(_canon(jury_forms[k])))
                name, meaning = jury_names[k], f"stability: {jury_meaning[k]}"
                prop = f"0 < {ctx.lean(e)}"
                hyp = _Hyp(name, prop, e, meaning)
            else:
                op = "<" if strict else "≤"
                if rhs.is_Symbol and lhs == 0:
                    name = f"h{_slug(rhs)}_{'pos' if strict else 'nonneg'}"
                elif lhs.is_Symbol and _slug(rhs):
                    name = f"h{_slug(lhs)}_{'lt' if strict else 'le'}_{_slug(rhs)}"
                elif rhs.is_Symbol and _slug(lhs):
                    name = f"h{_slug(rhs)}_{'gt' if strict else 'ge'}_{_slug(lhs)}"
                else:
                    name = f"hdomain_{idx}"
                lhs, rhs = _canon(lhs), _canon(rhs)
                e = sympy.factor(rhs - lhs)
                hyp = _Hyp(name, f"{ctx.lean(lhs)} {op} {ctx.lean(rhs)}", e if strict else None,
                           f"domain: {cond.text}")
            while hyp.name in used:
                hyp.name += "'"
            used.add(hyp.name)
            out.append(hyp)
    for a in ctx.atoms:
        out.append(_Hyp(f"h{a.lean}_pos", f"0 < {a.lean}", a.sym,
                        f"{a.lean} stands for {sympy.sstr(a.base ** a.exponent)}, positive as lam > 0"))
    return out


# ---------------------------------------------------------------------------------------------- covariance
@dataclass
class _Factor:
    expr: Expr
    lean: str
    hyp: str  # hypothesis name in the stationarity theorem
    proof: list[str]  # tactic lines proving `expr ≠ 0` from the conditions


def _sample_point(ctx: _Ctx, d, hyps: list[_Hyp]) -> dict[str, sympy.Rational] | None:
    """Rational parameter values satisfying every hypothesis, with a non-zero read-out energy."""
    names = list(ctx.spec.params) + ["lam", "sigma"]
    grids = [[sympy.Rational(v) for v in _SAMPLE.get(p, _DEFAULT_SAMPLE)] for p in names]
    if ctx.curvature:  # nz = sigma * sqrt(lam) rational: lam a square
        grids[names.index("lam")] = [sympy.Integer(4), sympy.Integer(1), sympy.Rational(1, 4)]
    r = ctx.spec.state.index(ctx.spec.readout)
    for values in product(*grids):
        point = dict(zip(names, values))
        subs = _subs_of(ctx, point)
        ok = True
        for cond in d.conditions:
            pred = cond.predicate.xreplace({sympy.Symbol(k, real=True): v for k, v in point.items()})
            pred = pred.xreplace({sympy.Symbol(s.name, real=True): v for s, v in subs.items()})
            if pred is not sympy.true:
                ok = False
                break
        if ok and d.matrices["S"][r, r].subs(subs) != 0:
            return point
    return None


def _subs_of(ctx: _Ctx, point: dict) -> dict:
    subs = {param_symbol(k) if k not in ("lam", "sigma") else SYMBOLS[k]: v for k, v in point.items()}
    for a in ctx.atoms:  # the exponent's parameter: 1/2 (so lam ** (-p) is rational for lam a square)
        for s in a.exponent.free_symbols:
            subs[s] = sympy.Rational(1, 2)
    return subs


def _lean_rat(v: sympy.Rational) -> str:
    return str(v.p) if v.q == 1 else f"({v.p} / {v.q})"


@dataclass
class _Module:
    text: str
    theorems: dict[str, str]


def _build(spec: OptimizerSpec, perturb: Expr | None = None) -> _Module:
    d = derive_spec(spec)
    ctx = _Ctx(spec)
    c, T = camel(spec.name), type_prefix(spec.name)
    state_t, var_t = f"{T}State", f"{T}Var"
    step_lines = _step_lines(ctx, state_t)
    hyps = _hypotheses(ctx, d)
    point = _sample_point(ctx, d, hyps)
    if point is None:
        raise InputError(f"spec {spec.name!r}: no rational sample point inside the stability region found")
    subs_pt = _subs_of(ctx, point)
    for a in ctx.atoms:
        subs_pt[a.sym] = (a.base ** a.exponent).subs(subs_pt)

    # covariance over a common denominator: S_ij = N_ij / D, D = c0 * prod(factors), oriented positive at the
    # sample point, N_ij integer polynomials
    n = len(spec.state)
    S = d.matrices["S"].applyfunc(lambda e: sympy.factor(ctx.subst(e)))
    factors: list[Expr] = []

    def orient(f: Expr) -> Expr:
        val = f.subs(subs_pt)
        return -f if val.is_negative else f

    for i in range(n):
        for j in range(i, n):
            _, den = sympy.fraction(sympy.factor(S[i, j]))
            for f, _m in sympy.factor_list(den)[1]:
                f = orient(sympy.expand(f))
                if not any(sympy.expand(f - g) == 0 for g in factors):
                    factors.append(f)
    D0 = sympy.Integer(1)
    for f in factors:
        D0 *= f ** max(_mult(f, sympy.fraction(sympy.factor(S[i, j]))[1]) for i in range(n) for j in range(i, n))
    nums = {(i, j): sympy.expand(sympy.cancel(S[i, j] * D0)) for i in range(n) for j in range(i, n)}
    for key, num in nums.items():
        if sympy.fraction(sympy.together(num))[1].free_symbols:
            raise InputError(f"spec {spec.name!r}: S{key} times the common denominator is not a polynomial")
    const = sympy.Integer(1)
    for num in nums.values():
        for coeff in sympy.Poly(num, *sorted(num.free_symbols, key=str)).coeffs() if num.free_symbols else [num]:
            const = sympy.lcm(const, sympy.Rational(coeff).q)
    nums = {k: sympy.expand(v * const) for k, v in nums.items()}
    if perturb is not None:  # negative control: a wrong answer for the first diagonal entry
        nums[(0, 0)] = sympy.expand(nums[(0, 0)] * perturb)
    den_factors = ([const] if const != 1 else []) + [f for f in factors for _ in range(_mult(f, D0))]
    den_lean = " * ".join(_par(ctx.lean(f)) for f in den_factors) or "1"

    # the factors whose non-vanishing the proofs need: S's denominators and the step's literal divisors
    need: list[tuple[Expr, str]] = [(f, ctx.lean(f)) for f in factors]
    for text, dv in ctx.divisors:
        dv = ctx.subst(dv)
        if not any(sympy.expand(dv - f) == 0 for f, _ in need):
            need.append((dv, text))
    strict = [h for h in hyps if h.strict is not None]
    fac: list[_Factor] = []
    for k, (f, ftext) in enumerate(need):
        best = None
        for h in strict:
            num_e = sympy.fraction(sympy.cancel(h.strict))[0]
            gens = sorted(num_e.free_symbols | f.free_symbols, key=str)
            if not gens or sympy.rem(num_e, f, *gens) != 0:
                continue
            r = sympy.factor(sympy.cancel(h.strict / f))
            cost = sympy.count_ops(r)
            if best is None or cost < best[0]:
                best = (cost, h, r)
        name = f"hden{k}"
        if best is None:
            proof = ["intro h0", "grind"]
        elif best[2] == 1:
            proof = [f"have := {best[1].name}", "grind"]
        else:
            _, h, r = best
            proof = ["intro h0", f"have h1 : 0 < {_par(ftext)} * {_par(ctx.lean(r))} := by grind",
                     "rw [h0] at h1", "grind"]
        fac.append(_Factor(f, ftext, name, proof))

    text = _render(ctx, d, c, T, state_t, var_t, step_lines, hyps, point, subs_pt, nums, den_lean, den_factors,
                   fac, {k: v / (const * D0) for k, v in nums.items()})
    return _Module(text, generated_theorems(spec))


def _mult(f: Expr, D0: Expr) -> int:
    for g, m in sympy.factor_list(D0)[1]:
        if sympy.expand(g - f) == 0 or sympy.expand(g + f) == 0:
            return m
    return 0


def _par(text: str) -> str:
    simple = text.replace("_", "").replace("'", "").isalnum() or text.isidentifier()
    return text if simple else f"({text})"


def _render(ctx: _Ctx, d, c: str, T: str, state_t: str, var_t: str, step_lines: list[str], hyps: list[_Hyp],
            point: dict, subs_pt: dict, nums: dict, den_lean: str, den_factors: list[Expr], fac: list[_Factor],
            S) -> str:
    spec = ctx.spec
    st = [_ident(v) for v in spec.state]
    n = len(st)
    B, APP = ctx.binders(), ctx.app()
    curv = ctx.curvature
    hnoise_b = " (hnoise : nz ^ 2 = σ ^ 2 * lam)" if curv else ""
    lines_upd = "; ".join(f"{v}' = {t}" for v, t in spec.update)
    atoms_doc = "".join(f"\n* `{a.lean}` stands for `{sympy.sstr(a.base ** a.exponent)}` (a field has no real "
                        f"powers): a variable with the hypothesis `0 < {a.lean}`; conditions on the exponent alone "
                        "are dropped." for a in ctx.atoms)
    noise_doc = ("curvature noise `n = σ √lam ξ`: its amplitude is the variable `nz` with "
                 "`hnoise : nz ^ 2 = σ ^ 2 * lam` (a field has no square roots)" if curv else
                 "additive noise `n = σ ξ`")
    readout = _ident(spec.readout)
    out: list[str] = []
    w = out.append
    w("module\n")
    w("public import SpectralUniversality.Basic\n")
    w("/-!")
    w(f"# Generated certificate of the `{spec.name}` optimizer spec\n")
    if spec.name in builtin_names() and builtin(spec.name) == spec:
        w("Generated by `python -m spectral_universality.theory.lean_spec --write lean/` from")
        w(f"`theory/specs/{spec.name}.toml` — do not edit; regenerate (a test fails when this file is stale).\n")
    else:
        w(f"Generated by `spectral-universality derive --spec FILE --format lean` from the spec `{spec.name}` —")
        w("do not edit; regenerate from the spec.\n")
    if spec.description:
        w(f"Spec: {spec.description}. ")
    w(f"Per Hessian mode, state `({', '.join(st)})`, update lines in order: `{lines_upd}`, with")
    w(f"`g = lam * theta + n` and {noise_doc}. SymPy derived the stationary covariance; this module")
    w("checks it over any ordered field `F`:\n")
    w(f"* `{c}Step` is the update, translated literally from the spec's lines; `{c}A`, `{c}B` are defined from")
    w(f"  it (column `j` of `A`: the step from the basis state `e_j` with `ξ = 0`; `B`: from `0` with `ξ = 1`)")
    w(f"  and `{c}Step_get_eq` proves the step is `x ↦ A x + B ξ`;")
    w(f"* `{c}Cov_isStationary`: SymPy's closed form `{c}Cov` satisfies `S = A S Aᵀ + B Bᵀ` entrywise when")
    w("  the denominator factors are non-zero;")
    w(f"* `{c}_denominators_ne_zero`: the spec's domain and Jury/Schur–Cohn stability conditions imply that")
    w(f"  they are; `{c}Cov_isStationary_of_stable` combines the two;")
    w(f"* an `example` at rational values inside the stability region (`σ ≠ 0`) discharges every hypothesis,")
    w(f"  and another evaluates the read-out's stationary energy `E[{readout}²]` (non-zero).{atoms_doc}")
    w("-/\n")
    w("@[expose] public section\n")
    w("set_option linter.unusedSectionVars false")
    w("set_option linter.unusedVariables false\n")
    w(f"namespace {NAMESPACE}\n")
    w("variable {F : Type} [Lean.Grind.Field F] [LE F] [LT F] [Std.LawfulOrderLT F] [Std.IsLinearOrder F]")
    w("  [Lean.Grind.OrderedRing F]\n")
    w(f"/-- The coordinates of the `{spec.name}` state. -/")
    w(f"inductive {var_t} where")
    for v in st:
        w(f"  /-- the coordinate `{v}` -/")
        w(f"  | {v}")
    w("")
    w(f"/-- A state `({', '.join(st)})` of the `{spec.name}` recursion for one Hessian mode. -/")
    w(f"structure {state_t} (F : Type) where")
    for v in st:
        w(f"  /-- `{v}` -/")
        w(f"  {v} : F")
    w("")
    w(f"/-- Coordinate `i` of a state. -/")
    w(f"def {state_t}.get (x : {state_t} F) : {var_t} → F")
    for v in st:
        w(f"  | .{v} => x.{v}")
    w("")
    w(f"/-- The basis state `e_j`. -/")
    w(f"def {state_t}.basis : {var_t} → {state_t} F")
    for v in st:
        w(f"  | .{v} => ⟨{', '.join('1' if u == v else '0' for u in st)}⟩")
    w("")
    w(f"/-- One step of `{spec.name}` from state `x` with noise draw `ξ`: the spec's update lines, in order. -/")
    w(f"def {c}Step {B} (x : {state_t} F) (ξ : F) : {state_t} F :=")
    for ln in step_lines:
        w(f"  {ln}")
    w("")
    w(f"/-- The one-step matrix, from the step: `A i j` is coordinate `i` of the step from `e_j`, `ξ = 0`. -/")
    w(f"def {c}A {B} (i j : {var_t}) : F :=")
    w(f"  ({c}Step {APP} ({state_t}.basis j) 0).get i")
    w("")
    w(f"/-- The noise column, from the step: `B i` is coordinate `i` of the step from `0` with `ξ = 1`. -/")
    w(f"def {c}B {B} (i : {var_t}) : F :=")
    w(f"  ({c}Step {APP} ⟨{', '.join('0' for _ in st)}⟩ 1).get i")
    w("")
    simp_defs = f"{c}Step, {c}A, {c}B, {state_t}.get, {state_t}.basis"
    lin = " + ".join(f"{c}A {APP} i .{v} * x.{v}" for v in st)
    w(f"/-- The step is linear: `step x ξ = A x + B ξ`, so `A`, `B` are its matrices. -/")
    w(f"theorem {c}Step_get_eq {B} (x : {state_t} F) (ξ : F) (i : {var_t}) :")
    w(f"    ({c}Step {APP} x ξ).get i = {lin} + {c}B {APP} i * ξ := by")
    w(f"  cases i <;> simp only [{simp_defs}] <;> grind")
    w("")
    # covariance
    cov_args = ctx.binders()
    w(f"/-- The common denominator of SymPy's stationary covariance. -/")
    w(f"def {c}CovDen {cov_args} : F :=")
    w(f"  {den_lean}")
    w("")
    w(f"/-- SymPy's closed-form stationary covariance `S = E[x xᵀ]` (the untrusted answer checked below). -/")
    w(f"def {c}Cov {cov_args} : {var_t} → {var_t} → F")
    for (i, vi), (j, vj) in product(enumerate(st), repeat=2):
        key = (min(i, j), max(i, j))
        w(f"  | .{vi}, .{vj} => ({ctx.lean(nums[key])}) / {c}CovDen {APP}")
    w("")
    terms = [f"{c}A {APP} i .{u} * {c}Cov {APP} .{u} .{v} * {c}A {APP} j .{v}" for u in st for v in st]
    rhs = "\n        + ".join(terms + [f"{c}B {APP} i * {c}B {APP} j"])
    den_hyps = "".join(f" ({f.hyp} : {f.lean} ≠ 0)" for f in fac)
    w(f"/-- **Stationarity.** Where the denominator factors are non-zero, SymPy's covariance solves the discrete")
    w(f"Lyapunov equation of the step: `S = A S Aᵀ + B Bᵀ`, every entry `(i, j)`. -/")
    w(f"theorem {c}Cov_isStationary {B}{hnoise_b}{den_hyps}")
    w(f"    (i j : {var_t}) :")
    w(f"    {c}Cov {APP} i j")
    w(f"      = {rhs} := by")
    # D ≠ 0 from its factors (D = c0 * f1 * f2 * ..., left-associated)
    idx = {sympy.srepr(f.expr): f.hyp for f in fac}
    chain = None
    for k, f in enumerate(den_factors):
        hname = idx.get(sympy.srepr(f))
        if hname is None:
            w(f"  have hc{k} : ({ctx.lean(f)} : F) ≠ 0 := by grind")
            hname = f"hc{k}"
        chain = hname if chain is None else (chain, hname)
    w(f"  have hD : {c}CovDen {APP} ≠ 0 := by")
    w(f"    unfold {c}CovDen")
    w(f"    {_ne_chain(chain)}")
    w(f"  have hw : {c}CovDen {APP} * ({c}CovDen {APP})⁻¹ = 1 := Lean.Grind.Field.mul_inv_cancel hD")
    inv_hints = []
    for k, f in enumerate(fac):
        if any(f.lean == t for t, _ in ctx.divisors):
            inv_hints.append(f"hinv{k}")
            w(f"  have hinv{k} : {_par(f.lean)} * {_par(f.lean)}⁻¹ = 1 := Lean.Grind.Field.mul_inv_cancel {f.hyp}")
    w(f"  cases i <;> cases j <;> simp only [{c}Cov, {simp_defs}, Lean.Grind.Field.div_eq_mul_inv] <;>")
    w(f"    generalize ({c}CovDen {APP})⁻¹ = w at hw ⊢ <;> unfold {c}CovDen at hw <;> grind")
    w("")
    hyp_b = "".join(f"\n    ({h.name} : {h.lean})" for h in hyps)
    conj = " ∧ ".join(f"{f.lean} ≠ 0" for f in fac) or "True"
    w(f"/-- **Denominators.** The spec's conditions (domain and stability) make every denominator factor of")
    w(f"`{c}Cov` and every divisor of the step non-zero. Hypotheses: "
      + "; ".join(f"`{h.name}` — {h.meaning}" for h in hyps) + ". -/")
    w(f"theorem {c}_denominators_ne_zero {B}{hyp_b} :")
    w(f"    {conj} := by")
    for f in fac:
        w(f"  have {f.hyp} : {f.lean} ≠ 0 := by")
        for ln in f.proof:
            w(f"    {ln}")
    w(f"  exact {_tuple([f.hyp for f in fac]) if fac else 'trivial'}")
    w("")
    hyp_names = " ".join(h.name for h in hyps)
    w(f"/-- **Stationarity in the stability region.** Under the spec's domain and stability conditions, SymPy's")
    w(f"covariance is the stationary covariance of the step. -/")
    w(f"theorem {c}Cov_isStationary_of_stable {B}{hnoise_b}{hyp_b}")
    w(f"    (i j : {var_t}) :")
    w(f"    {c}Cov {APP} i j")
    w(f"      = {rhs} := by")
    w(f"  obtain {_tuple([f.hyp for f in fac]) if fac else '_'} := {c}_denominators_ne_zero {APP} {hyp_names}")
    noise_arg = " hnoise" if curv else ""
    w(f"  exact {c}Cov_isStationary {APP}{noise_arg} {' '.join(f.hyp for f in fac)} i j")
    w("")
    # concrete Rat example
    in_atoms = {s.name for a in ctx.atoms for s in a.exponent.free_symbols}
    vals = [_lean_rat(sympy.Rational(point[p])) for p in spec.params if p in ctx.used or p not in in_atoms] + [_lean_rat(point["lam"]),
                                                                          _lean_rat(point["sigma"])]
    vals += [_lean_rat(subs_pt[a.sym]) for a in ctx.atoms]
    if curv:
        vals.append(_lean_rat(sympy.sqrt(point["lam"]) * point["sigma"]))
    rat_app = " ".join(vals)
    pt_doc = ", ".join(f"{_ident(k)} = {sympy.sstr(v)}" for k, v in point.items())
    atom_doc = "".join(f", {a.lean} = {sympy.sstr(subs_pt[a.sym])}" for a in ctx.atoms)
    nz_doc = f", nz = {vals[-1]}" if curv else ""
    nargs = len(hyps) + (1 if curv else 0)
    w(f"/-- Not vacuous: at `{pt_doc}{atom_doc}{nz_doc}` (in `Rat`) every hypothesis holds. -/")
    w(f"example (i j : {var_t}) :")
    w(f"    {c}Cov (F := Rat) {rat_app} i j")
    w(f"      = {rhs.replace(APP, rat_app)} :=")
    w(f"  {c}Cov_isStationary_of_stable {rat_app}{' (by grind)' * nargs} i j")
    w("")
    r = spec.state.index(spec.readout)
    energy = sympy.nsimplify(S[(r, r)].subs(subs_pt))
    w(f"/-- The read-out's stationary energy there: `E[{readout}²] = {sympy.sstr(energy)}` (non-zero). -/")
    w(f"example : {c}Cov (F := Rat) {rat_app} .{readout} .{readout} = {_lean_rat(energy)} := by")
    w(f"  simp only [{c}Cov, {c}CovDen]")
    w("  grind")
    w("")
    w(f"end {NAMESPACE}")
    w("")
    w("end")
    return "\n".join(out) + "\n"


def _tuple(names: list[str]) -> str:
    return names[0] if len(names) == 1 else "⟨" + ", ".join(names) + "⟩"


def _ne_chain(chain) -> str:
    """``f1 * f2 * … ≠ 0`` from ``f_k ≠ 0``, left-associated: ``fun h => h1 (eqZeroOfMul (…) h2)``."""
    if isinstance(chain, str):
        return f"exact {chain}"

    def go(ch, h: str) -> str:  # proof of False from h : product(ch) = 0
        if isinstance(ch, str):
            return f"{ch} {h}"
        left, right = ch
        return go(left, f"(eqZeroOfMul {h} {right})")
    return f"exact fun h => {go(chain, 'h')}"


def lean_module(spec: OptimizerSpec) -> str:
    """The Lean module certifying ``spec``'s stationary covariance (see the module docstring)."""
    return _build(spec).text


def lean_module_perturbed(spec: OptimizerSpec, factor: int = 2) -> str:
    """Negative control: the module with the numerator of SymPy's ``S[0, 0]`` multiplied by ``factor`` (a wrong
    answer that the Lean kernel must reject)."""
    return _build(spec, perturb=sympy.sympify(factor)).text


def module_path(lean_dir: Path, spec: OptimizerSpec) -> Path:
    return Path(lean_dir) / "SpectralUniversality" / SUBDIR / f"{type_prefix(spec.name)}.lean"


def builtin_modules() -> dict[str, str]:
    """Relative path (under the Lake package) -> text, for every built-in spec."""
    return {f"SpectralUniversality/{SUBDIR}/{type_prefix(n)}.lean": lean_module(builtin(n)) for n in builtin_names()}


ROOT = "SpectralUniversality.lean"


def root_with_imports(root_text: str) -> str:
    """The library root with a ``public import`` of every built-in's module (missing ones added after the last
    import line, so adding a built-in spec needs no hand edit of the root)."""
    lines = root_text.splitlines(keepends=True)
    missing = [f"public import {rel.removesuffix('.lean').replace('/', '.')}\n" for rel in builtin_modules()]
    missing = [m for m in missing if m not in lines]
    last = max((i for i, line in enumerate(lines) if line.startswith("public import ")), default=-1)
    return "".join(lines[:last + 1] + missing + lines[last + 1:])


def stale_modules(lean_dir: Path) -> list[str]:
    """Built-in modules whose committed text differs from what :func:`lean_module` generates now, and the root
    if it lacks an import of one of them."""
    stale = [rel for rel, text in builtin_modules().items()
             if not (Path(lean_dir) / rel).is_file() or (Path(lean_dir) / rel).read_text(encoding="utf-8") != text]
    root = Path(lean_dir) / ROOT
    if root.read_text(encoding="utf-8") != root_with_imports(root.read_text(encoding="utf-8")):
        stale.append(ROOT)
    return stale


def write_builtins(lean_dir: Path) -> list[Path]:
    """(Re)write every built-in's module under ``lean_dir``; returns the paths written."""
    out = []
    for rel, text in builtin_modules().items():
        p = Path(lean_dir) / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
        out.append(p)
    root = Path(lean_dir) / ROOT
    text = root.read_text(encoding="utf-8")
    if root_with_imports(text) != text:
        root.write_text(root_with_imports(text), encoding="utf-8")
        out.append(root)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m spectral_universality.theory.lean_spec",
                                 description="generate the Lean certificates of the built-in optimizer specs")
    ap.add_argument("lean_dir", nargs="?", type=Path, default=None, help="Lake package root (default lean/)")
    ap.add_argument("--write", action="store_true", help="rewrite the built-ins' modules")
    ap.add_argument("--check", action="store_true", help="exit 1 if rewriting would change a module")
    args = ap.parse_args(argv)
    lean_dir = args.lean_dir or Path(__file__).resolve().parents[1] / "lean"
    if args.write:
        for p in write_builtins(lean_dir):
            print(p)
        return 0
    stale = stale_modules(lean_dir)
    for rel in stale:
        print(f"stale: {rel}", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
