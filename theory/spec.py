"""Optimizer specs: a per-mode linear stochastic recursion, written once, from which every closed form is derived.

A spec names an optimizer's parameters, its state (``theta`` first, then auxiliary variables, all starting at
0) and its update lines, applied in order, each seeing the values already updated this step::

    name = "qhm"
    params = ["alpha", "beta", "nu"]
    state = ["theta", "m"]
    [update]
    m = "beta*m + (1 - beta)*g"
    theta = "theta - alpha*((1 - nu)*g + nu*m)"

``g = lam*theta + n`` is the mode's stochastic gradient at the start of the step and ``grad(x) = lam*x + n`` the
gradient at another point (look-ahead methods); ``n`` is one fresh noise draw per step, shared by every ``g`` and
``grad`` of the step: ``n = sigma*xi`` (``noise = "additive"``, the seed's §9 model) or ``n = sigma*sqrt(lam)*xi``
(``noise = "curvature"``, minibatch-like noise), ``xi ~ N(0, 1)``.  Optional keys: ``readout`` (the state
variable whose energy is the steady state, default ``theta``), ``domain`` (parameter conditions such as
``"0 <= mu < 1"``), ``defaults`` (a table of typical parameter values, used where none is given: the benchmark,
the report's example point, ``simulate``) and ``description``.

Expressions are parsed from Python's syntax tree, never evaluated: only numbers, the names above, ``+ - * / **``,
``sqrt`` and ``grad`` are accepted, and anything else is refused by name.  From the lines,
:func:`linear_system` builds the one-step ``x' = A x + b xi`` (and refuses a non-linear or affine update);
:func:`derive_spec` derives from ``(A, b)`` the stationary covariance (discrete Lyapunov equation), the
stability region (Jury/Schur–Cohn on ``det(zI - A)``), the contraction factor ``rho(A)^2``, the lag-1/lag-2
autocorrelations of the readout, the small-rate class rate and the energy-profile exponent.
"""

from __future__ import annotations

import ast
import hashlib
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Sequence

import sympy
from sympy import Expr

from spectral_universality.errors import InputError
from spectral_universality.theory.core import SYMBOLS, Condition, Derivation, all_of, conditions_text, real_form
from spectral_universality.theory.names import SPEC_DIR as BUILTIN_DIR
from spectral_universality.theory.names import builtin_spec_names as builtin_names

NOISE_MODELS = ("additive", "curvature")
#: names every update line may use besides the spec's parameters and state
RESERVED = ("g", "lam", "sigma", "grad", "sqrt", "xi")
_SPEC_KEYS = {"name", "params", "state", "update", "noise", "readout", "domain", "defaults", "description"}
Z = sympy.Symbol("z")
XI = sympy.Symbol("xi", real=True)


@dataclass(frozen=True)
class OptimizerSpec:
    """One optimizer as a per-mode linear recursion (see the module docstring for the semantics).

    Attributes
    ----------
    name : str
    params : tuple[str, ...]
        Parameter names (a canonical name such as ``alpha`` or ``mu`` brings its sign assumption and domain).
    state : tuple[str, ...]
        State variables, ``theta`` first; all start at 0.
    update : tuple[tuple[str, str], ...]
        ``(variable, expression)`` in the order applied.
    noise : str
        ``"additive"`` (variance ``sigma^2``) or ``"curvature"`` (variance ``sigma^2 lam``).
    readout : str
        State variable whose stationary energy is ``steady_state``.
    domain : tuple[str, ...]
        Extra parameter conditions (comparisons, chained allowed), e.g. ``"0 <= mu < 1"``.
    defaults : tuple[tuple[str, float], ...]
        Typical values of (some of) the parameters.
    """

    name: str
    params: tuple[str, ...]
    state: tuple[str, ...]
    update: tuple[tuple[str, str], ...]
    noise: str = "additive"
    readout: str = "theta"
    domain: tuple[str, ...] = ()
    defaults: tuple[tuple[str, float], ...] = ()
    description: str = ""

    def __post_init__(self) -> None:
        _check_spec(self)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: str = "spec") -> "OptimizerSpec":
        """Build from a parsed TOML table; InputError naming the bad key otherwise."""
        if not isinstance(data, Mapping):
            raise InputError(f"{source}: a spec is a table, got {type(data).__name__}")
        unknown = sorted(set(data) - _SPEC_KEYS)
        if unknown:
            raise InputError(f"{source}: unknown key(s) {unknown}; a spec has {sorted(_SPEC_KEYS)}")
        for key in ("name", "params", "state", "update"):
            if key not in data:
                raise InputError(f"{source}: missing key {key!r}")
        update = data["update"]
        if not isinstance(update, Mapping) or not all(isinstance(v, str) for v in update.values()):
            raise InputError(f"{source}: [update] must map state variables to expression strings")
        for key in ("params", "state", "domain"):
            value = data.get(key, [])
            if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
                raise InputError(f"{source}: {key!r} must be a list of strings")
        for key in ("name", "noise", "readout", "description"):
            if key in data and not isinstance(data[key], str):
                raise InputError(f"{source}: {key!r} must be a string")
        defaults = data.get("defaults", {})
        if not isinstance(defaults, Mapping) or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in defaults.values()):
            raise InputError(f"{source}: 'defaults' must map parameter names to numbers")
        return cls(name=data["name"], params=tuple(data["params"]), state=tuple(data["state"]),
                   update=tuple(update.items()), noise=data.get("noise", "additive"),
                   readout=data.get("readout", "theta"), domain=tuple(data.get("domain", ())),
                   defaults=tuple((k, float(v)) for k, v in defaults.items()),
                   description=data.get("description", ""))

    @classmethod
    def from_toml(cls, path: str | Path) -> "OptimizerSpec":
        """Read a spec file; InputError for a missing file or malformed TOML."""
        import tomllib

        p = Path(path)
        if not p.is_file():
            raise InputError(f"spec file {str(path)!r} not found")
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"{p.name}: not valid TOML ({exc})") from None
        return cls.from_mapping(data, p.name)

    def to_dict(self) -> dict[str, Any]:
        """The TOML table of this spec (update lines in order)."""
        return {"name": self.name, "params": list(self.params), "state": list(self.state),
                "update": dict(self.update), "noise": self.noise, "readout": self.readout,
                "domain": list(self.domain), "defaults": dict(self.defaults), "description": self.description}

    def digest(self) -> str:
        """SHA-256 of the spec's content (cache key; the name is part of it)."""
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()


def _check_spec(spec: OptimizerSpec) -> None:
    """Names, order and noise model; expressions are checked when parsed (:func:`linear_system`)."""
    where = f"spec {spec.name!r}"
    if not spec.name or not all(c.isalnum() or c in "-_" for c in spec.name):
        raise InputError(f"{where}: name must be non-empty letters, digits, '-' or '_'")
    names = list(spec.params) + list(spec.state)
    for n in names:
        if not n.isidentifier():
            raise InputError(f"{where}: {n!r} is not a valid name")
        if n in RESERVED:
            raise InputError(f"{where}: {n!r} is reserved (the update lines use {', '.join(RESERVED)})")
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InputError(f"{where}: name(s) {dup} used twice among params and state")
    if not spec.state or spec.state[0] != "theta":
        raise InputError(f"{where}: state must start with 'theta', got {list(spec.state)}")
    targets = [v for v, _ in spec.update]
    bad = [v for v in targets if v not in spec.state]
    if bad:
        raise InputError(f"{where}: [update] assigns {bad}, which are not state variables {list(spec.state)}")
    if len(set(targets)) != len(targets) or "theta" not in targets:
        raise InputError(f"{where}: [update] must assign theta, and each variable at most once")
    if spec.noise not in NOISE_MODELS:
        raise InputError(f"{where}: noise must be one of {list(NOISE_MODELS)}, got {spec.noise!r}")
    bad = sorted({k for k, _ in spec.defaults} - set(spec.params) - {"sigma"})
    if bad:
        raise InputError(f"{where}: defaults for {bad}, which are not parameters {list(spec.params)}")
    if spec.readout not in spec.state:
        raise InputError(f"{where}: readout {spec.readout!r} is not a state variable {list(spec.state)}")


def param_symbol(name: str) -> sympy.Symbol:
    """The canonical symbol of ``name`` if it has one (with its sign assumption), else a real symbol."""
    return SYMBOLS.get(name) or sympy.Symbol(name, real=True)


def _number(value: Any) -> Expr:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"constant {value!r} is not a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(f"constant {value!r} is not finite")
    return sympy.Integer(value) if isinstance(value, int) else sympy.Rational(repr(value))


_BINOPS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
           ast.Div: lambda a, b: a / b, ast.Pow: lambda a, b: a**b}


def parse_expression(text: str, env: Mapping[str, Any], where: str) -> Expr:
    """``text`` as a SymPy expression over ``env`` (name -> Expr, or a callable for ``grad``/``sqrt``).

    Walks Python's syntax tree; any construct other than numbers, names in ``env``, ``+ - * / **``, unary
    signs and calls of callables in ``env`` raises InputError naming it.
    """
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise InputError(f"{where}: cannot parse {text!r} ({exc.msg})") from None

    def walk(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant):
            return _number(node.value)
        if isinstance(node, ast.Name):
            if node.id not in env or callable(env[node.id]):
                raise InputError(f"{where}: unknown name {node.id!r} in {text!r}; known: {sorted(k for k in env if not callable(env[k]))}")
            return env[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            return _BINOPS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            v = walk(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and callable(env.get(node.func.id)):
            if len(node.args) != 1 or node.keywords:
                raise InputError(f"{where}: {node.func.id}() takes one argument in {text!r}")
            return env[node.func.id](walk(node.args[0]))
        raise InputError(f"{where}: {type(node).__name__} is not allowed in {text!r} (numbers, names, + - * / **, "
                         "sqrt(), grad())")

    return sympy.sympify(walk(tree))


@dataclass(frozen=True)
class LinearSystem:
    """``x' = A x + b xi`` with ``xi ~ N(0, 1)``: the spec's update lines composed into one step.

    ``A`` is ``(n, n)`` and ``b`` is ``(n, 1)``, in the canonical symbols and the spec's parameters; ``state``
    names the coordinates of ``x``; ``readout`` is the index of the read-out coordinate.
    """

    spec: OptimizerSpec
    A: sympy.Matrix
    b: sympy.Matrix
    params: tuple[sympy.Symbol, ...]
    readout: int

    @property
    def size(self) -> int:
        return self.A.shape[0]


def noise_amplitude(noise: str) -> Expr:
    """Standard deviation of the per-step gradient noise ``n`` of a noise model."""
    lam, sigma = SYMBOLS["lam"], SYMBOLS["sigma"]
    return sigma if noise == "additive" else sigma * sympy.sqrt(lam)


@lru_cache(maxsize=None)
def linear_system(spec: OptimizerSpec) -> LinearSystem:
    """Compose the update lines into ``(A, b)``; InputError if a line is not linear in ``(state, xi)``."""
    lam = SYMBOLS["lam"]
    noise = noise_amplitude(spec.noise) * XI
    start = {v: sympy.Symbol(f"{v}__0", real=True) for v in spec.state}
    params = {p: param_symbol(p) for p in spec.params}
    current: dict[str, Expr] = dict(start)
    g = lam * start["theta"] + noise
    for var, text in spec.update:
        env: dict[str, Any] = {**params, **current, "g": g, "lam": lam, "sigma": SYMBOLS["sigma"],
                               "grad": lambda x: lam * x + noise, "sqrt": sympy.sqrt}
        current[var] = sympy.expand(parse_expression(text, env, f"spec {spec.name!r}, update of {var}"))
    gens = [start[v] for v in spec.state] + [XI]
    n = len(spec.state)
    A, b = sympy.zeros(n, n), sympy.zeros(n, 1)
    for i, var in enumerate(spec.state):
        ex = current[var]
        try:
            poly = sympy.Poly(ex, *gens)
        except sympy.PolynomialError:
            raise InputError(f"spec {spec.name!r}: the update of {var} is not polynomial in the state: {ex}") from None
        if poly.total_degree() > 1:
            raise InputError(f"spec {spec.name!r}: the update of {var} is not linear in the state and noise: {ex}")
        if poly.coeff_monomial(1) != 0:
            raise InputError(f"spec {spec.name!r}: the update of {var} has a constant term "
                             f"{poly.coeff_monomial(1)} (the recursion must fix the optimum 0)")
        for j, gen in enumerate(gens[:-1]):
            A[i, j] = sympy.factor(poly.coeff_monomial(gen))
        b[i, 0] = sympy.factor(poly.coeff_monomial(XI))
    return LinearSystem(spec, A, b, tuple(params.values()), spec.state.index(spec.readout))


def lyapunov(A: sympy.Matrix, Q: sympy.Matrix) -> sympy.Matrix:
    """The symmetric ``S`` with ``S = A S A^T + Q`` (any size), entries factored; ArithmeticError if not unique."""
    n = A.shape[0]
    unknowns = {(i, j): sympy.Symbol(f"S_{i}_{j}") for i in range(n) for j in range(i, n)}
    S = sympy.Matrix(n, n, lambda i, j: unknowns[(min(i, j), max(i, j))])
    R = S - A * S * A.T - Q
    eqs = [R[i, j] for i in range(n) for j in range(i, n)]
    sol = sympy.solve(eqs, list(unknowns.values()), dict=True)
    if len(sol) != 1 or set(sol[0]) != set(unknowns.values()):
        raise ArithmeticError("the discrete Lyapunov equation has no unique solution (A has eigenvalues z, w "
                              "with z*w = 1)")
    return S.subs(sol[0]).applyfunc(sympy.factor)


def schur_cohn_conditions(charpoly: sympy.Poly) -> list[Expr]:
    """Expressions that are all ``> 0`` iff every root of the real ``charpoly`` lies in ``|z| < 1``.

    Degree 1 and 2: Jury's ``p(1) > 0``, ``(-1)^n p(-1) > 0`` and (degree 2) ``1 - a0 > 0`` for monic ``p``.
    Higher degree: the Schur–Cohn recursion ``p -> (a_n p - a_0 p*) / z`` (``p*`` the reversed polynomial), whose
    step conditions ``a_n^2 - a_0^2 > 0`` are necessary and sufficient.
    """
    p = sympy.Poly(charpoly.as_expr() / charpoly.LC(), Z)
    n = p.degree()
    if n < 1:
        raise InputError("the characteristic polynomial has degree 0")
    at = lambda z0: sympy.factor(p.as_expr().subs(Z, z0))  # noqa: E731
    if n == 1:
        return [at(1), sympy.factor(-at(-1))]
    if n == 2:
        a0 = p.all_coeffs()[-1]
        return [at(1), at(-1), sympy.factor(1 - a0), sympy.factor(1 + a0)]
    out, q = [], p
    while q.degree() >= 1:
        co = q.all_coeffs()
        an, a0 = co[0], co[-1]
        out.append(sympy.factor(an**2 - a0**2))
        rev = sympy.Poly(list(reversed(co)), Z)
        q = sympy.Poly(sympy.cancel((an * q - a0 * rev).as_expr() / Z), Z)
    return out


def spectral_radius_sq(A: sympy.Matrix) -> Expr:
    """``rho(A)^2`` in closed form for ``n <= 2`` (branch-free for real or complex eigenvalues); ``nan`` above
    (evaluated numerically by :meth:`SpecDerivation.evaluate`)."""
    n = A.shape[0]
    if n == 1:
        return sympy.factor(A[0, 0] ** 2)
    if n == 2:
        tr, det = A.trace(), A.det()
        disc = sympy.Max(sympy.factor(tr**2 - 4 * det), 0)
        return sympy.Max(sympy.factor(sympy.Abs(det)), ((sympy.Abs(tr) + sympy.sqrt(disc)) / 2) ** 2)
    return sympy.nan


def _domain_conditions(spec: OptimizerSpec, params: Mapping[str, sympy.Symbol]) -> tuple[Condition, ...]:
    """``lam > 0``, the noise scale's sign, canonical parameters' signs, and the spec's ``domain`` lines."""
    lam, sigma = real_form(SYMBOLS["lam"]), real_form(SYMBOLS["sigma"])
    conds = [Condition("lam > 0", lam > 0), Condition("sigma >= 0", sigma >= 0)]
    for name, s in params.items():
        r = real_form(s)
        if s.is_positive:
            conds.append(Condition(f"{name} > 0", r > 0))
        elif s.is_nonnegative:
            conds.append(Condition(f"{name} >= 0", r >= 0))
    env = {name: real_form(s) for name, s in params.items()} | {"lam": lam, "sigma": sigma}
    for text in spec.domain:
        conds.append(Condition(text, _parse_condition(text, env, f"spec {spec.name!r}, domain")))
    return tuple(conds)


_CMP = {ast.Lt: sympy.StrictLessThan, ast.LtE: sympy.LessThan, ast.Gt: sympy.StrictGreaterThan,
        ast.GtE: sympy.GreaterThan}


def _parse_condition(text: str, env: Mapping[str, Any], where: str) -> Any:
    """A comparison (chained allowed) over ``env`` as a SymPy predicate."""
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise InputError(f"{where}: cannot parse {text!r} ({exc.msg})") from None
    if not isinstance(tree, ast.Compare) or not all(type(op) in _CMP for op in tree.ops):
        raise InputError(f"{where}: {text!r} must be a comparison such as '0 <= mu < 1'")
    terms = [tree.left, *tree.comparators]
    exprs = [parse_expression(ast.unparse(t), env, where) for t in terms]
    return sympy.And(*(_CMP[type(op)](a, b) for op, a, b in zip(tree.ops, exprs, exprs[1:])))


def _series(expr: Expr, alpha: sympy.Symbol, order: int) -> Expr:
    return sympy.factor(sympy.series(expr, alpha, 0, order + 1).removeO())


@dataclass(frozen=True, eq=False)
class SpecDerivation(Derivation):
    """A :class:`Derivation` derived from an :class:`OptimizerSpec`; ``system`` holds ``(A, b)``."""

    system: LinearSystem | None = None

    def evaluate(self, **params: float) -> dict[str, float]:
        """As :meth:`Derivation.evaluate`; for state size > 2 the contraction factor ``rho(A)^2`` is computed
        numerically from ``A``."""
        out = super().evaluate(**params)
        if self.contraction_factor is sympy.nan and self.system is not None:
            import numpy as np

            values = {s: params[s.name] for s in self.system.A.free_symbols if s.name in params}
            if len(values) == len(self.system.A.free_symbols):
                a = np.array(self.system.A.subs(values).evalf(), dtype=float)
                out["contraction_factor"] = float(np.max(np.abs(np.linalg.eigvals(a))) ** 2)
        return out

    def h_step(self, h: int) -> tuple[sympy.Matrix, sympy.Matrix]:
        """``(A^h, Sigma_h)`` of the exact ``h``-step transition ``x_{t+h} = A^h x_t + N(0, Sigma_h)``."""
        from spectral_universality.theory.linear import h_step_covariance

        A, S = self.matrices["A"], self.matrices["S"]
        return A ** int(h), h_step_covariance(A, S, h).applyfunc(sympy.factor)


@lru_cache(maxsize=None)
def derive_spec(spec: OptimizerSpec) -> SpecDerivation:
    """Every closed form of ``spec``, derived from its ``(A, b)`` (cached per spec).

    Forms: ``S_<u>_<v>`` (stationary covariance entries), ``lag1_autocorrelation``/``lag2_autocorrelation``
    of the readout, ``small_rate_steady_state`` (first order in ``alpha``), ``class_rate`` (the ``alpha_tilde``
    for which SGD with the same noise has that small-rate energy), ``energy_lambda_exponent`` ``eps`` with
    ``e* ~ lam^eps`` at small rate, ``energy_profile_exponent`` ``-s*eps`` (``e_k ~ k^(-s eps)`` on
    ``lam_k = C k^-s``), ``jury_<i>`` (the stability expressions, each ``> 0``).
    """
    system = linear_system(spec)
    A, b = system.A, system.b
    n, r = system.size, system.readout
    Q = b * b.T
    try:
        S = lyapunov(A, Q)
    except ArithmeticError as exc:
        raise InputError(f"spec {spec.name!r}: {exc}") from None
    steady = sympy.factor(S[r, r])
    charpoly = sympy.Poly((Z * sympy.eye(n) - A).det(), Z)
    jury = schur_cohn_conditions(charpoly)
    params = {p: param_symbol(p) for p in spec.params}
    stab = tuple(Condition(f"{sympy.sstr(j)} > 0", real_form(j) > 0) for j in jury)
    conds = _domain_conditions(spec, params) + stab
    forms: dict[str, Expr] = {}
    for i in range(n):
        for j in range(i, n):
            forms[f"S_{spec.state[i]}_{spec.state[j]}"] = S[i, j]
    forms["lag1_autocorrelation"] = sympy.factor(sympy.cancel((A * S)[r, r] / S[r, r]))
    forms["lag2_autocorrelation"] = sympy.factor(sympy.cancel((A * A * S)[r, r] / S[r, r]))
    for i, j in enumerate(jury):
        forms[f"jury_{i}"] = j
    notes = {"model": "; ".join(f"{v}' = {t}" for v, t in spec.update) + f"; g = lam*theta + n, "
             f"n ~ N(0, {sympy.sstr(noise_amplitude(spec.noise) ** 2)})",
             "stability": "Jury/Schur-Cohn conditions of det(z I - A) = " + sympy.sstr(sympy.factor(charpoly.as_expr())),
             "h_step": "x_{t+h} = A^h x_t + N(0, S - A^h S (A^h)^T)"}
    alpha = SYMBOLS["alpha"]
    if alpha in params.values():
        lam, sigma, s = SYMBOLS["lam"], SYMBOLS["sigma"], SYMBOLS["s"]
        small = _series(steady, alpha, 1)
        forms["small_rate_steady_state"] = small
        noise_var = noise_amplitude(spec.noise) ** 2
        if small != 0 and noise_var != 0:
            forms["class_rate"] = sympy.factor(sympy.simplify(small * 2 * lam / noise_var))
            eps = sympy.simplify(lam * sympy.diff(sympy.log(small), lam))
            if lam not in eps.free_symbols:
                forms["energy_lambda_exponent"] = eps
                forms["energy_profile_exponent"] = sympy.factor(-s * eps)
            else:
                notes["energy_profile"] = "the small-rate energy is not a power of lam: no single exponent"
        notes["within_class"] = (f"small-rate e* = {sympy.sstr(small)}: SGD with rate alpha_tilde = "
                                 f"{sympy.sstr(forms.get('class_rate', sympy.nan))} and the same noise")
    if spec.description:
        notes["description"] = spec.description
    return SpecDerivation(spec.name, dict(SYMBOLS), steady, spectral_radius_sq(A), all_of(stab),
                          conditions_text(stab), conds, forms, {"A": A, "b": b, "Q": Q, "S": S}, notes,
                          system=system)


@lru_cache(maxsize=None)
def builtin(name: str) -> OptimizerSpec:
    """The built-in spec ``name``; InputError naming the choices otherwise."""
    if name not in builtin_names():
        raise InputError(f"unknown built-in spec {name!r}; choose one of {list(builtin_names())}")
    return OptimizerSpec.from_toml(BUILTIN_DIR / f"{name}.toml")


def resolve(spec: str | Path | OptimizerSpec | Mapping[str, Any]) -> OptimizerSpec:
    """A spec from an object, a table, a built-in name or a ``.toml`` path."""
    if isinstance(spec, OptimizerSpec):
        return spec
    if isinstance(spec, Mapping):
        return OptimizerSpec.from_mapping(spec)
    text = str(spec)
    if text.endswith(".toml") or Path(text).is_file():
        return OptimizerSpec.from_toml(text)
    return builtin(text)


def numeric_system(spec: OptimizerSpec, lam: Sequence[float] | Any, **params: float) -> tuple[Any, Any]:
    """``(A, b)`` as float64 numpy arrays ``(modes, n, n)`` and ``(modes, n)`` at ``params`` and each ``lam``.

    ``params`` are the spec's parameters and ``sigma``; they are checked against the spec's domain conditions
    (not its stability region, which depends on ``lam``: see :func:`stability_violation`).
    """
    import numpy as np

    system = linear_system(spec)
    names = [s.name for s in system.params]
    missing = [p for p in names + ["sigma"] if p not in params]
    if missing:
        raise InputError(f"spec {spec.name!r} needs parameter(s) {missing}")
    derive_spec(spec).validate(**params)
    lam = np.asarray(lam, dtype=np.float64).reshape(-1)
    syms = [SYMBOLS["lam"], SYMBOLS["sigma"], *system.params]
    args = [lam, params["sigma"], *(params[n] for n in names)]
    n = system.size

    def entry(ex: Expr) -> Any:
        return np.broadcast_to(np.asarray(sympy.lambdify(syms, ex, modules="numpy")(*args), dtype=np.float64),
                               lam.shape)

    a = np.stack([np.stack([entry(system.A[i, j]) for j in range(n)], -1) for i in range(n)], -2)
    b = np.stack([entry(system.b[i, 0]) for i in range(n)], -1)
    return a, b


def stability_violation(spec: OptimizerSpec, lam: Sequence[float] | Any, **params: float) -> tuple[str, str] | None:
    """``(condition, detail)`` of the first stability condition that fails at some ``lam`` (the smallest index),
    or None if every mode is inside the region."""
    import numpy as np

    d = derive_spec(spec)
    lam = np.asarray(lam, dtype=np.float64).reshape(-1)
    values = {k: float(v) for k, v in params.items()}
    for i, cond in enumerate(stability_conditions(d)):
        f = d.lambdify(f"jury_{i}")
        val = np.broadcast_to(np.asarray(f(**{k: (lam if k == "lam" else values[k]) for k in f.args}), float),
                              lam.shape)
        bad = np.flatnonzero(~(val > 0))
        if bad.size:
            k = int(bad[0])
            detail = ", ".join(f"{n} = {values[n]:g}" for n in f.args if n != "lam")
            return cond.text, f"{detail}, lam = {lam[k]:g} (mode {k + 1})".lstrip(", ")
    return None


def stability_conditions(d: SpecDerivation) -> list[Condition]:
    """The Jury/Schur-Cohn conditions of ``d``, in the order of its ``jury_<i>`` forms (they close its
    ``conditions``)."""
    count = sum(1 for k in d.forms if k.startswith("jury_"))
    return list(d.conditions[len(d.conditions) - count:])


__all__ = ["OptimizerSpec", "LinearSystem", "SpecDerivation", "builtin", "builtin_names", "derive_spec",
           "linear_system", "lyapunov", "numeric_system", "resolve", "schur_cohn_conditions", "stability_conditions",
           "stability_violation"]
