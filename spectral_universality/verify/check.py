"""Checking the Lean library and writing its inventory.

Two paths share the audits and the inventory format:

* **wasm** — every module is compiled by the WebAssembly Lean in import order (independent modules in
  parallel), its outputs (``.olean``, ``.olean.private``, ``.olean.server``, ``.ir``) cached under a content
  hash of its source, its imports' hashes and the toolchain identity (so a warm run can never pass what a
  cold run would fail), each cached file re-hashed on every hit. ``#print axioms`` is refused there (every
  file is a module).
* **native** — ``lake build``, then a generated non-module file prints ``#check`` and ``#print axioms``
  for every declaration, which must agree with the proof-term audit.

On both paths the axiom verdict comes from the compiled proof terms: :mod:`~spectral_universality.verify.olean`
reads every module's ``.olean.private`` and collects, for every constant, the axioms its proof reaches
(:func:`_audit_proof_terms`). The source scan of :mod:`~spectral_universality.verify.source` runs first as a
fast first line (``static_scan=False`` switches it off). Statements come from ``#check @Name`` in one
generated checker file importing the library. An inventory's cache key covers the sources, the toolchain's
files, this checker's code and the audit method.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as _dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from spectral_universality.errors import InputError, ToolchainError

from . import source as S
from .toolchain import NativeToolchain, Toolchain, WasmToolchain, default_cache_dir, require_wasm_visible, resolve

#: bump when the verifier's compile flags, checker format or inventory format change (invalidates caches)
VERIFIER_VERSION = "3"
#: module name of the generated checker file
CHECKER_MODULE = "SpectralUniversalityVerifyChecker"
#: seconds one Lean process may take before it is treated as failed
COMPILE_TIMEOUT_S = 3600
#: seconds between progress lines while modules compile
PROGRESS_EVERY_S = 15.0
#: expected seconds for a module never compiled here (measured: an `Init` module with grind proofs, patched
#: lean.js, 2 cores): only for the progress display
DEFAULT_MODULE_S = 40.0
_AUX_FILES = ("lakefile.lean", "lakefile.toml", "lean-toolchain")


@dataclass(frozen=True)
class ModuleTiming:
    """One module's outcome: ``status`` is ok, failed or skipped (an import failed)."""

    name: str
    seconds: float
    cached: bool
    status: str = "ok"


@dataclass(frozen=True)
class LeanError:
    """An error as Lean gives it: file, 1-based line, 0-based column, message."""

    file: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


@dataclass
class VerifyResult:
    """Outcome of :func:`verify_library`; ``inventory`` is the JSON-ready inventory."""

    ok: bool
    modules: list[ModuleTiming]
    errors: list[LeanError]
    inventory: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Library:
    """The Lean sources of a package: module name -> relative path, text and in-package imports."""

    root: Path
    paths: dict[str, Path]
    texts: dict[str, str]
    imports: dict[str, list[str]]
    source_hash: str

    def order(self) -> list[str]:
        """Modules in import order (dependencies first); raises InputError on an import cycle."""
        done: list[str] = []
        state: dict[str, int] = {}

        def visit(m: str, chain: tuple[str, ...]) -> None:
            if state.get(m) == 2:
                return
            if state.get(m) == 1:
                raise InputError(f"import cycle in {self.root}: {' -> '.join(chain + (m,))}")
            state[m] = 1
            for d in self.imports[m]:
                visit(d, chain + (m,))
            state[m] = 2
            done.append(m)

        for m in sorted(self.paths):
            visit(m, ())
        return done


def scan_library(lean_dir: Path) -> Library:
    """Read every ``.lean`` file of the package at ``lean_dir`` (skipping ``.lake``, lakefiles, dotfiles)."""
    lean_dir = Path(lean_dir)
    if not lean_dir.is_dir():
        raise InputError(f"Lean directory {lean_dir} does not exist")
    paths: dict[str, Path] = {}
    for p in sorted(lean_dir.rglob("*.lean")):
        rel = p.relative_to(lean_dir)
        if any(part.startswith(".") for part in rel.parts) or rel.parts[0] in ("build",) or \
                rel.name.startswith("lakefile"):
            continue
        paths[S.module_name(rel)] = rel
    if not paths:
        raise InputError(f"no .lean files in {lean_dir}")
    texts = {m: (lean_dir / r).read_text(encoding="utf-8") for m, r in paths.items()}
    imports = {m: [i for i in S.parse_imports(S.strip_comments(t).text) if i in paths] for m, t in texts.items()}
    h = hashlib.sha256()
    for m in sorted(paths):
        h.update(f"{paths[m].as_posix()}\0{len(texts[m].encode())}\0".encode() + texts[m].encode())
    for aux in _AUX_FILES:
        if (lean_dir / aux).is_file():
            h.update(f"{aux}\0".encode() + (lean_dir / aux).read_bytes())
    return Library(lean_dir.resolve(), paths, texts, imports, h.hexdigest())


def _sha(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def checker_digest() -> str:
    """Hash of the checker's own code (this package's ``verify`` modules): a verdict cached by another
    version of the checker is not reused."""
    h = hashlib.sha256()
    for p in sorted(Path(__file__).parent.glob("*.py")):
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def inventory_key(lib: Library, tc: Toolchain, static_scan: bool = True) -> str:
    """Cache key of an inventory: sources, toolchain identity, verifier version and code, audit method."""
    return _sha("inventory", VERIFIER_VERSION, checker_digest(), AUDIT_METHOD, str(static_scan), lib.source_hash,
                tc.identity)


# --- Lean messages ------------------------------------------------------------------------------------

def parse_json_messages(stdout: str) -> list[dict]:
    """Lean ``--json`` messages in ``stdout``; other lines (debug output, echoed source) are dropped."""
    msgs = []
    for line in stdout.splitlines():
        if not line.startswith("{"):
            continue
        try:
            m = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(m, dict) and {"severity", "data", "pos", "fileName"} <= m.keys():
            msgs.append(m)
    return msgs


def is_failure(msg: dict) -> bool:
    """Errors, and the ``sorry`` warning, fail the check."""
    return msg["severity"] == "error" or msg.get("kind") == "hasSorry" or "declaration uses 'sorry'" in \
        msg["data"] or "declaration uses `sorry`" in msg["data"]


def _to_error(msg: dict, file: str) -> LeanError:
    return LeanError(file, int(msg["pos"]["line"]), int(msg["pos"]["column"]), msg["data"])


# --- the object cache -----------------------------------------------------------------------------------

#: what one compile writes beside ``M.olean`` (the module system splits a module into these parts; proof
#: bodies live in ``.olean.private``), all cached, since the axiom audit reads them
OUTPUT_SUFFIXES = (".olean", ".olean.private", ".olean.server", ".ir")


def output_paths(olean: Path) -> dict[str, Path]:
    """``M.olean`` -> the paths of every output part of module ``M``, by suffix."""
    stem = olean.name[: -len(".olean")]
    return {sfx: olean.with_name(stem + sfx) for sfx in OUTPUT_SUFFIXES}


def _file_sha(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class ObjectStore:
    """Content-addressed results under ``<cache>/objects/<key>/``: ``result.json`` and the module's outputs.

    ``result.json`` records the SHA-256 of every stored output; each hit re-hashes them, so a cached
    object that was altered after it was stored is never used (it is reported and recompiled).
    """

    def __init__(self, cache_dir: Path, log: Callable[[str], None] = lambda _: None) -> None:
        self.root = cache_dir / "objects"
        self.log = log

    def get(self, key: str) -> tuple[dict, dict[str, Path]] | None:
        """``(result, {suffix: path})`` for ``key``, or ``None`` (absent, incomplete or altered)."""
        d = self.root / key
        try:
            result = json.loads((d / "result.json").read_text())
        except (OSError, json.JSONDecodeError):
            return None
        files: dict[str, Path] = {}
        for sfx, sha in (result.get("outputs") or {}).items():
            path = d / ("module" + sfx)
            try:
                actual = _file_sha(path)
            except OSError:
                actual = None
            if actual != sha:
                self.log(f"  cached object {key[:12]}/module{sfx} does not match its recorded hash: recompiling")
                return None
            files[sfx] = path
        return result, files

    def put(self, key: str, result: dict, outputs: dict[str, Path]) -> None:
        """Store atomically (write to a temporary directory, rename), with the hash of every output."""
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".{key}.{uuid.uuid4().hex}"
        tmp.mkdir(mode=0o755)
        shas = {}
        for sfx, path in outputs.items():
            shutil.copyfile(path, tmp / ("module" + sfx))
            shas[sfx] = _file_sha(tmp / ("module" + sfx))
        (tmp / "result.json").write_text(json.dumps(dict(result, outputs=shas)))
        try:
            tmp.rename(self.root / key)
        except OSError:  # another run stored the same key first: identical content
            shutil.rmtree(tmp, ignore_errors=True)


def _link_or_copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


# --- generated checker ----------------------------------------------------------------------------------

def checker_source(decls: list[S.Declaration], imports: list[str], *, print_axioms: bool) -> tuple[str, dict[int, str]]:
    """Text of the checker file and the map line -> declaration name of each ``#check``/``#print`` line."""
    lines = ["prelude"] + [f"import {m}" for m in imports]
    owner: dict[int, str] = {}
    for d in decls:
        if d.name is None or d.private:
            continue
        lines.append(f"#check @{_quote(d.name)}")
        owner[len(lines)] = d.name
        if print_axioms:
            lines.append(f"#print axioms {_quote(d.name)}")
            owner[len(lines)] = d.name
    return "\n".join(lines) + "\n", owner


def _quote(name: str) -> str:
    """Quote name components that are not plain identifiers (e.g. keywords) with «»."""
    return ".".join(c if re.fullmatch(r"[^\W\d][\w'!?]*", c) else f"«{c}»" for c in name.split("."))


def _statement(data: str) -> str:
    """``Name : type`` (Lean's ``#check``) -> ``type``."""
    return data.split(" : ", 1)[1] if " : " in data else data


# --- the wasm path --------------------------------------------------------------------------------------

@dataclass
class _Job:
    name: str
    key: str
    src: Path  # staged source
    olean: Path | None  # where the .olean goes (None: checker, no output)


def _run_wasm(tc: WasmToolchain, job: _Job, stage: Path, build: Path, procs: set) -> dict:
    if job.olean is not None:
        job.olean.parent.mkdir(parents=True, exist_ok=True)
    cmd = [str(tc.node), str(tc.lean_js), "--json", f"--root={stage}"]
    if job.olean is not None:
        cmd += ["-o", str(job.olean)]
    cmd.append(str(job.src))
    env = dict(os.environ, LEAN_PATH=str(build))
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=str(stage), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    procs.add(proc)  # so an interrupted run can stop it
    try:
        stdout, stderr = proc.communicate(timeout=COMPILE_TIMEOUT_S)
        rc = proc.returncode
    except subprocess.TimeoutExpired:
        proc.kill()
        stdout, _ = proc.communicate()
        rc, stderr = -1, f"timed out after {COMPILE_TIMEOUT_S} s"
    finally:
        procs.discard(proc)
    msgs = parse_json_messages(stdout)
    for msg in msgs:  # stage-relative paths: cached results must not name this run's staging directory
        try:
            msg["fileName"] = Path(msg["fileName"]).relative_to(stage).as_posix()
        except ValueError:
            pass
    tail = [ln for ln in stderr.splitlines() if ln.strip() and not ln.startswith("[DEBUG")][-5:]
    return {"returncode": rc, "messages": msgs, "seconds": time.monotonic() - t0, "stderr_tail": tail}


def _load_timings(cache_dir: Path) -> dict[str, float]:
    """Seconds of each module's last compile (for the progress display), or ``{}``."""
    try:
        data = json.loads((cache_dir / "timings.json").read_text())
        return {str(k): float(v) for k, v in data.items()}
    except (OSError, ValueError, AttributeError):
        return {}


def _save_timings(cache_dir: Path, timings: dict[str, float]) -> None:
    tmp = cache_dir / f".timings.{uuid.uuid4().hex}"
    tmp.write_text(json.dumps(timings))
    tmp.replace(cache_dir / "timings.json")


def _verify_wasm(lib: Library, tc: WasmToolchain, cache_dir: Path, jobs: int, use_cache: bool,
                 decls: list[S.Declaration], log: Callable[[str], None]) -> dict:
    store = ObjectStore(cache_dir, log)
    run_dir = cache_dir / "runs" / uuid.uuid4().hex[:12]
    stage, build = run_dir / "src", run_dir / "build"
    try:
        for m, rel in lib.paths.items():
            (stage / rel).parent.mkdir(parents=True, exist_ok=True)
            (stage / rel).write_text(lib.texts[m], encoding="utf-8")
        build.mkdir(parents=True)
        order = lib.order()
        keys: dict[str, str] = {}
        for m in order:
            keys[m] = _sha("module", VERIFIER_VERSION, tc.identity, m, lib.texts[m],
                           *[keys[d] for d in sorted(lib.imports[m])])
        jobs_by_name = {m: _Job(m, keys[m], stage / lib.paths[m], build / lib.paths[m].with_suffix(".olean"))
                        for m in order}
        deps = {m: set(lib.imports[m]) for m in order}
        # the checker imports every module with an inventoried declaration (not a re-exporting root),
        # so it compiles alongside the root
        checked = [d for d in decls if d.name is not None and not d.private]
        chk_imports = sorted({d.module for d in checked})
        chk_text, chk_owner = checker_source(checked, chk_imports, print_axioms=False)
        if checked:
            if CHECKER_MODULE in lib.paths:
                raise InputError(f"the library may not contain a module named {CHECKER_MODULE}")
            (stage / f"{CHECKER_MODULE}.lean").write_text(chk_text, encoding="utf-8")
            keys[CHECKER_MODULE] = _sha("checker", VERIFIER_VERSION, tc.identity, chk_text,
                                        *[keys[d] for d in chk_imports])
            jobs_by_name[CHECKER_MODULE] = _Job(CHECKER_MODULE, keys[CHECKER_MODULE],
                                                stage / f"{CHECKER_MODULE}.lean", None)
            deps[CHECKER_MODULE] = set(chk_imports)
        procs: set[subprocess.Popen] = set()
        timings = _load_timings(cache_dir)
        todo = [m for m, j in jobs_by_name.items() if not (use_cache and (store.root / j.key / "result.json").exists())]
        if todo:
            guess = sum(timings.get(m, DEFAULT_MODULE_S) for m in todo) / max(1, min(jobs, len(todo)))
            log(f"compiling {len(todo)} of {len(jobs_by_name)} Lean files with the WebAssembly Lean, {jobs} at a time "
                f"(~{guess:.0f} s expected; each result is cached by a hash of its source, its imports and the "
                f"toolchain in {cache_dir}, so an unchanged library is re-checked in seconds)")
        results = _schedule(jobs_by_name, deps, lambda j: _run_wasm(tc, j, stage, build, procs), store,
                            use_cache, jobs, log, lambda m: m if m != CHECKER_MODULE else "(statements)",
                            on_abort=lambda: [p.kill() for p in list(procs)], expected=timings)
        timings.update({m: round(r["seconds"], 1) for m, r in results.items() if not r["cached"] and r["result"]})
        _save_timings(cache_dir, timings)
        res = _assemble(lib, results, chk_owner, stage, "proof-terms")
        ok_modules = [m for m in order if results[m]["status"] == "ok"]
        res["proof_audit"] = _audit_proof_terms(lib, build, tc.root / "node_modules" / "lib" / "lean",
                                                ok_modules, log)
        return res
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)


def _schedule(jobs_by_name: dict[str, _Job], deps: dict[str, set[str]], run: Callable[[_Job], dict],
              store: ObjectStore, use_cache: bool, jobs: int, log: Callable[[str], None],
              label: Callable[[str], str], on_abort: Callable[[], object] = lambda: None,
              expected: dict[str, float] | None = None) -> dict[str, dict]:
    """Run the jobs in dependency order, ``jobs`` at a time, reusing cached results.

    Returns name -> {status, cached, seconds, result}. A job whose import failed is ``skipped``.
    ``expected`` (module -> seconds of its last compile) is shown beside each running module.
    ``on_abort`` runs if the loop is interrupted (it must stop the running jobs, or the pool waits for them).
    """
    pending = dict(deps)
    expected = expected or {}
    out: dict[str, dict] = {}
    lock = threading.Lock()
    unlocked = log

    def log(line: str) -> None:  # jobs log from worker threads: one line at a time
        with lock:
            unlocked(line)

    width = max(len(label(m)) for m in jobs_by_name)
    with cf.ThreadPoolExecutor(max_workers=jobs) as pool:
        running: dict[cf.Future, tuple[str, float]] = {}
        try:
            _drain(pending, running, out, jobs_by_name, deps, run, store, use_cache, log, label, width, pool,
                   expected)
        except BaseException:
            on_abort()
            raise
    return out


def _drain(pending: dict, running: dict, out: dict, jobs_by_name: dict[str, _Job], deps: dict[str, set[str]],
           run: Callable[[_Job], dict], store: ObjectStore, use_cache: bool, log: Callable[[str], None],
           label: Callable[[str], str], width: int, pool: cf.ThreadPoolExecutor,
           expected: dict[str, float]) -> None:
    """The scheduling loop of :func:`_schedule`: fills ``out`` as jobs finish or are found cached."""
    while pending or running:
        for m in [m for m, ds in pending.items() if all(d in out for d in ds)]:
            del pending[m]
            job = jobs_by_name[m]
            if any(out[d]["status"] != "ok" for d in deps[m]):
                out[m] = {"status": "skipped", "cached": False, "seconds": 0.0, "result": None}
                log(f"  {label(m):<{width}}  skipped (an import failed)")
                continue
            t0 = time.monotonic()
            hit = store.get(job.key) if use_cache else None
            if hit is not None:
                result, files = hit
                if job.olean is not None:
                    for sfx, dst in output_paths(job.olean).items():
                        if sfx in files:
                            _link_or_copy(files[sfx], dst)
                out[m] = {"status": _status(result), "cached": True, "seconds": time.monotonic() - t0,
                          "result": result}
                log(f"  {label(m):<{width}}  cached ({result['seconds']:.1f} s when compiled)")
                continue
            started: dict[str, float] = {}

            def start(job: _Job = job, started: dict = started) -> dict:
                started["t"] = time.monotonic()
                exp = expected.get(job.name)
                log(f"  {label(job.name):<{width}}  compiling" + (f" (~{exp:.0f} s last time)" if exp else ""))
                return run(job)

            running[pool.submit(start)] = (m, started)
        if not running:
            continue
        done, _ = cf.wait(list(running), timeout=PROGRESS_EVERY_S, return_when=cf.FIRST_COMPLETED)
        if not done:  # a heartbeat, so a user waiting on a long compile sees what runs and for how long
            log("  ... " + ", ".join(
                f"{label(m)} {time.monotonic() - st['t']:.0f} s" + (f" of ~{expected[m]:.0f}" if m in expected else "")
                for m, st in running.values() if "t" in st))
        for fut in done:
            m, _ = running.pop(fut)
            job = jobs_by_name[m]
            result = fut.result()
            status = _status(result)
            produced = {} if job.olean is None or status != "ok" else \
                {sfx: p for sfx, p in output_paths(job.olean).items() if p.exists()}
            # only a run that ended normally (Lean's verdict, not a crash/timeout) is cached
            if result["returncode"] == 0 or any(x["severity"] == "error" for x in result["messages"]):
                store.put(job.key, result, produced)
            out[m] = {"status": status, "cached": False, "seconds": result["seconds"], "result": result}
            log(f"  {label(m):<{width}}  {result['seconds']:.1f} s" + ("" if status == "ok" else "  FAILED"))


def _status(result: dict) -> str:
    """``ok`` when Lean compiled the module (an ``.olean`` exists, so importers can be compiled and the
    proof-term audit can read it), else ``failed``. A ``sorry`` warning leaves the module compiled: it is
    reported as an error by :func:`_assemble`, and the audit finds ``sorryAx`` in everything that uses it."""
    return "ok" if result["returncode"] == 0 and not any(m["severity"] == "error" for m in result["messages"]) \
        else "failed"


def _assemble(lib: Library, results: dict[str, dict], chk_owner: dict[int, str], stage: Path,
              audit: str) -> dict:
    """Errors, warnings, timings and statements from the per-module results."""
    errors: list[LeanError] = []
    warnings: list[str] = []
    statements: dict[str, str] = {}
    check_errors: dict[str, str] = {}
    axioms: dict[str, list[str]] = {}

    def orig(file_name: str) -> str:
        path = Path(file_name)
        if not path.is_absolute():  # stage-relative (wasm results)
            return str(lib.root / path)
        try:
            return str(lib.root / path.relative_to(stage))
        except ValueError:
            return file_name

    modules: list[ModuleTiming] = []
    for m, r in results.items():
        res = r["result"]
        if m != CHECKER_MODULE:
            modules.append(ModuleTiming(m, round(r["seconds"], 2), r["cached"], r["status"]))
        if res is None:
            continue
        if m == CHECKER_MODULE:
            for msg in res["messages"]:
                name = chk_owner.get(int(msg["pos"]["line"]))
                if name is None:
                    continue
                if msg["severity"] == "error":
                    check_errors[name] = msg["data"]
                    warnings.append(f"statement of {name} unavailable: {msg['data']}")
                    continue
                parsed = S.parse_print_axioms(msg["data"])
                if parsed is not None:
                    axioms[name] = parsed[1]
                elif msg["severity"] == "information":
                    statements[name] = _statement(msg["data"])
            continue
        file = str(lib.root / lib.paths[m])
        fails = [msg for msg in res["messages"] if is_failure(msg)]
        errors += [_to_error(msg, orig(msg["fileName"])) for msg in fails]
        warnings += [str(_to_error(msg, orig(msg["fileName"]))) for msg in res["messages"]
                     if msg["severity"] == "warning" and not is_failure(msg)]
        if res["returncode"] != 0 and not fails:
            detail = "; ".join(res.get("stderr_tail") or []) or "no message"
            errors.append(LeanError(file, 1, 0, f"lean exited with code {res['returncode']}: {detail}"))
    if CHECKER_MODULE in results and results[CHECKER_MODULE]["result"] is not None:
        modules.append(ModuleTiming("(statements)", round(results[CHECKER_MODULE]["seconds"], 2),
                                    results[CHECKER_MODULE]["cached"], results[CHECKER_MODULE]["status"]))
    return {"errors": errors, "warnings": warnings, "modules": modules, "statements": statements,
            "check_errors": check_errors, "axioms": axioms, "audit": audit}


# --- the proof-term axiom audit ------------------------------------------------------------------------

#: how the axiom verdict is obtained; part of the inventory cache key, so changing the audit invalidates
#: every cached verdict
AUDIT_METHOD = "proof terms: .olean.private reader (verify/olean.py), toolchain library theorems as stand-ins"


def _audit_proof_terms(lib: Library, build: Path, lean_lib: Path, ok_modules: list[str],
                       log: Callable[[str], None]) -> dict:
    """The axioms every constant of the library's modules reaches, read from the compiled proof terms.

    The library's own modules are read with their ``.olean.private`` part (every proof body). The
    toolchain's library (``Init``, ``Std``) ships only exported ``.olean`` files, in which theorems are
    stand-ins without proofs: a library proof that uses such a theorem is audited down to that theorem
    (its name is recorded as a toolchain stand-in), and what that theorem itself rests on is taken as
    the toolchain's. A stand-in from one of the library's own modules is an error (the audit must see
    every proof the library wrote).

    Returns
    -------
    dict
        ``constants``: name -> {module, axioms, toolchain_stand_ins, user_visible}; ``errors``: list of
        (module, constant, message); ``seconds``; ``stats``.
    """
    from .olean import AxiomCollector, OleanError, UnknownConstantError

    t0 = time.monotonic()
    out: dict[str, dict] = {}
    errs: list[tuple[str, str, str]] = []
    own = set(lib.paths)
    try:
        with AxiomCollector([build, lean_lib]) as col:
            for m in ok_modules:
                try:
                    reports = col.module_reports(m)
                except (OleanError, UnknownConstantError) as exc:
                    errs.append((m, "", f"proof-term audit of {m} failed: {exc}"))
                    continue
                for name, r in reports.items():
                    mine = sorted(n for n in r.opaque if col.module_of(n) in own)
                    if mine:
                        errs.append((m, name, f"{name}: the proof-term audit cannot see the bodies of "
                                              f"{', '.join(mine[:5])} (library constants without a proof term)"))
                    out[name] = {"module": m, "axioms": sorted(r.axioms), "user_visible": r.user_visible,
                                 "toolchain_stand_ins": len(r.opaque) - len(mine),
                                 "uses": _library_uses(col, name, own)}
                    bad = sorted(set(r.axioms) - S.ALLOWED_AXIOMS)
                    if bad and r.kind == "axiom" and bad == [name]:
                        errs.append((m, name, f"{name} is a declared axiom (found in the compiled module; allowed "
                                              f"axioms: {', '.join(sorted(S.ALLOWED_AXIOMS))})"))
                    elif bad:
                        errs.append((m, name, f"{name} depends on axiom{'s' if len(bad) > 1 else ''} "
                                              f"{', '.join(bad)} (read from its compiled proof term; allowed: "
                                              f"{', '.join(sorted(S.ALLOWED_AXIOMS))})"))
            stats = col.stats()
    except OleanError as exc:
        return {"constants": out, "errors": [("", "", f"proof-term audit failed: {exc}")],
                "seconds": time.monotonic() - t0, "stats": {}}
    secs = time.monotonic() - t0
    log(f"  proof-term axiom audit: {len(out)} constants of {len(ok_modules)} modules, {secs:.1f} s")
    return {"constants": out, "errors": errs, "seconds": secs, "stats": stats}


def _library_uses(col, name: str, own: set[str]) -> list[str]:
    """The user-visible library constants that ``name``'s type and proof term mention, looking through the
    auxiliary constants Lean generates (``_proof_n``, matchers, ...): the edges of the dependency graph."""
    seen, found, todo = {name}, set(), [name]
    while todo:
        rec = col.constant(todo.pop())
        for ref in sorted(rec.type_refs | (rec.value_refs or frozenset())):
            if ref in seen or col.module_of(ref) not in own:
                continue
            seen.add(ref)
            if col.report(ref).user_visible:
                found.add(ref)
            else:
                todo.append(ref)
    return sorted(found)


def _compiled_name(d: S.Declaration, constants: dict[str, dict]) -> str | None:
    """The compiled constant of a source declaration (private names are mangled as ``_private.<M>.0.<n>``)."""
    if d.name is None:
        return None
    if d.name in constants and not d.private:
        return d.name
    suffix = "." + d.name
    hits = [n for n in constants if n.startswith("_private.") and n.endswith(suffix)
            and constants[n]["module"] == d.module]
    return hits[0] if len(hits) == 1 else (d.name if d.name in constants else None)


def _enclosing_declaration(name: str, module: str, decls: list[S.Declaration]) -> S.Declaration | None:
    """The source declaration an auxiliary constant belongs to (``_private.M.0.f._proof_1`` -> ``f``), or the
    declared axiom of that name, so its finding points at a line of the source."""
    short = name.split(".0.", 1)[1] if name.startswith("_private.") and ".0." in name else name
    best = None
    for d in decls:
        if d.module == module and d.name and (short == d.name or short.startswith(d.name + ".")):
            if best is None or len(d.name) > len(best.name or ""):
                best = d
    return best


# --- the native path ------------------------------------------------------------------------------------

_LAKE_MSG_RE = re.compile(r"^(error|warning|info): (.+?):(\d+):(\d+): (.*)$")
_LAKE_BUILT_RE = re.compile(r"\[\d+/\d+\] (?:Built|Building|Compiled|Compiling) (\S+)(?: \(([\d.]+)(m?s)\))?")


def parse_lake_output(text: str, lean_dir: Path) -> tuple[list[tuple[str, LeanError]], dict[str, float]]:
    """(severity, message) pairs and per-module seconds from ``lake build`` output."""
    msgs: list[tuple[str, LeanError]] = []
    times: dict[str, float] = {}
    cur: list | None = None
    for line in text.splitlines():
        m = _LAKE_MSG_RE.match(line)
        if m:
            if cur:
                msgs.append((cur[0], LeanError(cur[1], cur[2], cur[3], "\n".join(cur[4]))))
            path = Path(m.group(2))
            file = str((lean_dir / path).resolve()) if not path.is_absolute() else str(path)
            cur = [m.group(1), file, int(m.group(3)), int(m.group(4)), [m.group(5)]]
            continue
        b = _LAKE_BUILT_RE.search(line)
        if b and b.group(2):
            times[b.group(1)] = float(b.group(2)) / (1000 if b.group(3) == "ms" else 1)
        if cur and not re.match(r"^(✔|⚠|✖|ℹ|trace:|error:|warning:|info:|Build completed|Some required)", line):
            cur[4].append(line)  # a continuation line (Lean messages span lines, blank ones included)
        elif cur:
            msgs.append((cur[0], LeanError(cur[1], cur[2], cur[3], "\n".join(cur[4]).rstrip())))
            cur = None
    if cur:
        msgs.append((cur[0], LeanError(cur[1], cur[2], cur[3], "\n".join(cur[4]).rstrip())))
    return msgs, times


def _verify_native(lib: Library, tc: NativeToolchain, decls: list[S.Declaration],
                   log: Callable[[str], None]) -> dict:
    if not any((lib.root / f).is_file() for f in ("lakefile.lean", "lakefile.toml")):
        raise InputError(f"{lib.root} has no lakefile.lean or lakefile.toml: native `lake build` needs one")
    t0 = time.monotonic()
    out = subprocess.run([str(tc.lake), "build"], cwd=str(lib.root), capture_output=True, text=True,
                         timeout=COMPILE_TIMEOUT_S)
    build_s = time.monotonic() - t0
    text = out.stdout + "\n" + out.stderr
    msgs, times = parse_lake_output(text, lib.root)
    errors = [e for sev, e in msgs if sev == "error" or "declaration uses 'sorry'" in e.message
              or "declaration uses `sorry`" in e.message]
    warnings = [str(e) for sev, e in msgs if sev == "warning" and e not in errors]
    if out.returncode != 0 and not errors:
        errors.append(LeanError(str(lib.root), 1, 0, f"lake build exited with code {out.returncode}: "
                                                     f"{text.strip()[-800:]}"))
    modules = [ModuleTiming(m, round(times.get(m, 0.0), 2), m not in times, "failed" if out.returncode else "ok")
               for m in lib.order()]
    log(f"  lake build: {build_s:.1f} s")
    for mt in modules:
        log(f"  {mt.name}  " + ("up to date" if mt.cached else f"{mt.seconds:.1f} s"))
    res = {"errors": errors, "warnings": warnings, "modules": modules, "statements": {}, "check_errors": {},
           "axioms": {}, "audit": "static+print-axioms"}
    checked = [d for d in decls if d.name is not None and not d.private]
    if out.returncode != 0 or not checked:
        return res
    chk_text, owner = checker_source(checked, sorted({d.module for d in checked}), print_axioms=True)
    chk_text = chk_text.replace("prelude\n", "", 1)  # a plain (non-module) file: #print axioms is allowed
    with tempfile.TemporaryDirectory() as td:
        gen = Path(td) / "gen.lean"
        gen.write_text(chk_text, encoding="utf-8")
        t0 = time.monotonic()
        chk = subprocess.run([str(tc.lake), "env", "lean", "--json", str(gen)], cwd=str(lib.root),
                             capture_output=True, text=True, timeout=COMPILE_TIMEOUT_S)
    # line numbers shift by one: the "prelude" line was removed
    owner = {ln - 1: n for ln, n in owner.items()}
    fake = {CHECKER_MODULE: {"status": "ok", "cached": False, "seconds": time.monotonic() - t0,
                             "result": {"returncode": chk.returncode, "messages": parse_json_messages(chk.stdout)}}}
    chk_res = _assemble(lib, fake, owner, Path(td), "static+print-axioms")
    res["statements"], res["check_errors"], res["axioms"] = chk_res["statements"], chk_res["check_errors"], \
        chk_res["axioms"]
    res["warnings"] += chk_res["warnings"]
    res["modules"].append(chk_res["modules"][0])
    res["proof_audit"] = _native_proof_audit(lib, tc, log)
    for name, axs in res["axioms"].items():
        mine = (res["proof_audit"]["constants"].get(name) or {}).get("axioms")
        if mine is not None and not set(mine) <= set(axs):
            d = next(d for d in checked if d.name == name)
            res["errors"].append(LeanError(str(lib.root / d.file), d.line, 0,
                                           f"{name}: the proof-term audit found {mine}, #print axioms {axs}: "
                                           "they must agree"))
        bad = sorted(set(axs) - S.ALLOWED_AXIOMS)
        if bad:
            d = next(d for d in checked if d.name == name)
            res["errors"].append(LeanError(str(lib.root / d.file), d.line, 0,
                                           f"{name} depends on axioms outside {sorted(S.ALLOWED_AXIOMS)}: {bad}"))
    missing = [d.name for d in checked if d.name not in res["axioms"]]
    if missing:
        res["errors"].append(LeanError(str(lib.root), 1, 0, f"#print axioms gave no verdict for {missing[:10]}"))
    return res


def _native_proof_audit(lib: Library, tc: NativeToolchain, log: Callable[[str], None]) -> dict:
    """The proof-term audit over ``lake build``'s outputs and the toolchain's own library."""
    try:
        out = subprocess.run([str(tc.lake), "env", "lean", "--print-libdir"], cwd=str(lib.root),
                             capture_output=True, text=True, timeout=600)
        libdir = Path(out.stdout.strip().splitlines()[-1])
    except (OSError, subprocess.TimeoutExpired, IndexError) as exc:
        return {"constants": {}, "errors": [("", "", f"proof-term audit: no Lean library directory ({exc})")],
                "seconds": 0.0, "stats": {}}
    return _audit_proof_terms(lib, lib.root / ".lake" / "build" / "lib" / "lean", libdir, lib.order(), log)


# --- public API -----------------------------------------------------------------------------------------

def verify_library(lean_dir: Path, *, cache_dir: Path | None = None, toolchain: str = "auto", jobs: int = 2,
                   log: Callable[[str], None] = print, use_cache: bool = True,
                   static_scan: bool = True) -> VerifyResult:
    """Check the Lean package at ``lean_dir``: compile, audit, and build the inventory.

    Parameters
    ----------
    lean_dir : Path
        Root of the Lake package (holds ``SpectralUniversality.lean`` and the module directory).
    cache_dir : Path, optional
        Toolchain, compiled modules and inventories; default :func:`toolchain.default_cache_dir`.
    toolchain : {"auto", "native", "wasm"}
        ``auto``: native ``lake`` when on PATH, else the WebAssembly Lean (installed on first use).
    jobs : int
        Lean processes at once (wasm path; each needs ~3.3 GB when it imports ``Init``).
    log : callable
        Receives progress lines (per-module times).
    use_cache : bool
        ``False`` ignores cached results (they are still refreshed).
    static_scan : bool
        Run the fast source scan for forbidden constructs first. The verdict on axioms comes from the
        proof-term audit either way; ``False`` shows what that audit alone rejects (the controls do).

    Returns
    -------
    VerifyResult
        ``ok`` is true iff nothing failed: no Lean error, no ``sorry``, no audit finding, no axiom outside
        :data:`source.ALLOWED_AXIOMS`. The inventory is also stored in ``<cache>/inventories``.
    """
    if jobs < 1:
        raise InputError(f"--jobs must be at least 1, got {jobs}")
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    lib = scan_library(Path(lean_dir))
    tc = resolve(toolchain, cache_dir, log, lib.root)
    return _verify(lib, tc, cache_dir, jobs, log, use_cache, static_scan)


def _verify(lib: Library, tc: Toolchain, cache_dir: Path, jobs: int, log: Callable[[str], None],
            use_cache: bool, static_scan: bool = True) -> VerifyResult:
    t_start = time.monotonic()
    log(f"verifying {lib.root} with {tc.version} ({len(lib.paths)} modules, source {lib.source_hash[:12]})")
    decls = [d for m in lib.order()
             for d in S.parse_declarations(lib.texts[m], m, lib.paths[m].as_posix())]
    pkg = frozenset(lib.paths)
    findings = [f for m in lib.order() for f in S.audit_source(lib.texts[m], str(lib.root / lib.paths[m]), pkg)] \
        if static_scan else []
    if isinstance(tc, WasmToolchain):
        require_wasm_visible(cache_dir)
        res = _verify_wasm(lib, tc, cache_dir, jobs, use_cache, decls, log)
    else:
        res = _verify_native(lib, tc, decls, log)
    errors = [LeanError(f.file, f.line, f.col, f.message) for f in findings] + res["errors"]
    audit = res.get("proof_audit") or {"constants": {}, "errors": [], "seconds": 0.0, "stats": {}}
    constants = audit["constants"]
    by_compiled = {_compiled_name(d, constants): d for d in decls}
    for module, name, message in audit["errors"]:
        d = by_compiled.get(name) or _enclosing_declaration(name, module, decls)
        if d is not None:
            errors.append(LeanError(str(lib.root / d.file), d.line, 0, message))
        else:
            rel = lib.paths.get(module)
            errors.append(LeanError(str(lib.root / rel) if rel else str(lib.root), 1, 0, message))
    # the statements checker only feeds the inventory: a name it cannot #check is a warning (and a
    # `check_error` on the entry), not a failed proof
    ok = not errors and all(mt.status == "ok" for mt in res["modules"] if mt.name != "(statements)")
    dirty = {f.file for f in findings}
    entries = []
    for d in decls:
        e = {"name": d.name, "kind": d.kind, "module": d.module, "file": d.file, "line": d.line,
             "docstring": d.docstring, "private": d.private, "statement": res["statements"].get(d.name or "")}
        if d.name in res["check_errors"]:
            e["check_error"] = res["check_errors"][d.name]
        c = constants.get(_compiled_name(d, constants) or "")
        if c is not None:
            e["axioms"] = c["axioms"]
            e["toolchain_stand_ins"] = c["toolchain_stand_ins"]
            e["uses"] = c["uses"]
            e["axiom_audit"] = "proof term (.olean.private)" + (
                f"; {c['toolchain_stand_ins']} toolchain theorems used as stand-ins" if c["toolchain_stand_ins"] else "")
            if res["audit"] == "static+print-axioms" and d.name in res["axioms"]:
                e["axiom_audit"] += "; #print axioms (native) agrees"
        elif res["audit"] == "static+print-axioms" and (d.name or "") in res["axioms"]:
            e["axioms"] = res["axioms"][d.name]
            e["axiom_audit"] = "#print axioms (native)"
        else:  # an `example` or a declaration whose module failed: no compiled constant to read
            e["axioms"] = []
            e["axiom_audit"] = ("not in the environment (anonymous)" if d.name is None
                                else "no compiled constant (its module did not compile)")
        if static_scan:
            e["static_scan"] = "FAILED (forbidden construct in file)" if str(lib.root / d.file) in dirty else "clean"
        entries.append(e)
    total = time.monotonic() - t_start
    inventory = {
        "schema": 1,
        "verifier_version": VERIFIER_VERSION,
        "toolchain": tc.version,
        "toolchain_kind": tc.kind,
        "toolchain_identity": tc.identity,
        "audit": res["audit"],
        "audit_method": AUDIT_METHOD,
        "audit_seconds": round(audit["seconds"], 2),
        "audit_stats": audit["stats"],
        "static_scan": static_scan,
        "allowed_axioms": sorted(S.ALLOWED_AXIOMS),
        "source_hash": lib.source_hash,
        "lean_dir": str(lib.root),
        "ok": ok,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "total_seconds": round(total, 2),
        "modules": [asdict(mt) | {"imports": lib.imports.get(mt.name, []),
                                  "file": lib.paths[mt.name].as_posix() if mt.name in lib.paths else None}
                    for mt in res["modules"]],
        "errors": [dict(asdict(e), file=_relative(e.file, lib.root)) for e in errors],
        "warnings": res["warnings"],
        "declarations": entries,
    }
    for e in errors:
        log(f"{_display(e.file)}:{e.line}:{e.col}: {e.message}")
    log(f"{'OK' if ok else 'FAILED'}: {len(entries)} declarations, {len(errors)} errors, {total:.1f} s")
    # a run that crashed or timed out is not Lean's verdict on these sources: do not cache it
    crashed = any("lean exited with code" in e.message or "lake build exited" in e.message for e in errors)
    if not crashed:
        _store_inventory(cache_dir, inventory_key(lib, tc, static_scan), inventory)
    return VerifyResult(ok, res["modules"], errors, inventory)


def _relative(file: str, root: Path) -> str:
    """``file`` relative to the package root (inventory paths do not depend on where the sources lie)."""
    try:
        return Path(file).relative_to(root).as_posix()
    except ValueError:
        return file


def _display(file: str) -> str:
    """``file`` relative to the working directory when it lies below it."""
    try:
        return str(Path(file).relative_to(Path.cwd()))
    except ValueError:
        return file


def _store_inventory(cache_dir: Path, key: str, inventory: dict) -> None:
    d = cache_dir / "inventories"
    d.mkdir(parents=True, exist_ok=True)
    tmp = d / f".{key}.{uuid.uuid4().hex}"
    tmp.write_text(json.dumps(inventory, indent=1, ensure_ascii=False))
    tmp.replace(d / f"{key}.json")


def load_inventory(lean_dir: Path, *, cache_dir: Path | None = None, toolchain: str = "auto", jobs: int = 2,
                   log: Callable[[str], None] = print) -> dict:
    """The inventory for the current sources: from the cache if this source state was checked, else
    by running :func:`verify_library` (so tests pay for the slow check at most once per source state).

    The returned inventory may have ``ok: false``; callers assert on it.
    """
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    lib = scan_library(Path(lean_dir))
    tc = resolve(toolchain, cache_dir, log, lib.root)
    path = cache_dir / "inventories" / f"{inventory_key(lib, tc)}.json"
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        pass
    if isinstance(tc, WasmToolchain):
        require_wasm_visible(cache_dir)
    return _verify(lib, tc, cache_dir, jobs, log, True).inventory


def write_inventory(inventory: dict, path: Path) -> None:
    """Write ``inventory`` as JSON to ``path`` (parents created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(inventory, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


__all__ = ["VerifyResult", "ModuleTiming", "LeanError", "Library", "verify_library", "load_inventory",
           "scan_library", "write_inventory", "parse_json_messages", "parse_lake_output", "checker_source",
           "ToolchainError"]
