"""Checking the Lean library and writing its inventory.

Two paths share the static audit and the inventory format:

* **wasm** — every module is compiled by the WebAssembly Lean in import order (independent modules in
  parallel), each ``.olean`` cached under a content hash of its source, its imports' hashes and the
  toolchain identity (so a warm run can never pass what a cold run would fail). ``#print axioms`` is
  refused there (every file is a module), so the axiom verdict is the static audit of
  :mod:`~spectral_universality.verify.source`.
* **native** — ``lake build``, then a generated non-module file prints ``#check`` and ``#print axioms``
  for every declaration; the static audit runs as well.

Statements come from ``#check @Name`` in one generated checker file importing the library.
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
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from spectral_universality.errors import InputError, ToolchainError

from . import source as S
from .toolchain import NativeToolchain, Toolchain, WasmToolchain, default_cache_dir, require_wasm_visible, resolve

#: bump when the verifier's compile flags, checker format or inventory format change (invalidates caches)
VERIFIER_VERSION = "2"
#: module name of the generated checker file
CHECKER_MODULE = "SpectralUniversalityVerifyChecker"
#: seconds one Lean process may take before it is treated as failed
COMPILE_TIMEOUT_S = 3600
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


def inventory_key(lib: Library, tc: Toolchain) -> str:
    """Cache key of an inventory: sources, toolchain identity, verifier version."""
    return _sha("inventory", VERIFIER_VERSION, lib.source_hash, tc.identity)


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

class ObjectStore:
    """Content-addressed results under ``<cache>/objects/<hash>/``: ``result.json`` (+ ``module.olean``)."""

    def __init__(self, cache_dir: Path) -> None:
        self.root = cache_dir / "objects"

    def get(self, key: str) -> tuple[dict, Path | None] | None:
        d = self.root / key
        try:
            result = json.loads((d / "result.json").read_text())
        except (OSError, json.JSONDecodeError):
            return None
        olean = d / "module.olean"
        if result.get("has_olean") and not olean.exists():
            return None
        return result, (olean if result.get("has_olean") else None)

    def put(self, key: str, result: dict, olean: Path | None) -> None:
        """Store atomically (write to a temporary directory, rename)."""
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".{key}.{uuid.uuid4().hex}"
        tmp.mkdir()
        if olean is not None:
            shutil.copyfile(olean, tmp / "module.olean")
        (tmp / "result.json").write_text(json.dumps(dict(result, has_olean=olean is not None)))
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


def _verify_wasm(lib: Library, tc: WasmToolchain, cache_dir: Path, jobs: int, use_cache: bool,
                 decls: list[S.Declaration], log: Callable[[str], None]) -> dict:
    store = ObjectStore(cache_dir)
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
        results = _schedule(jobs_by_name, deps, lambda j: _run_wasm(tc, j, stage, build, procs), store,
                            use_cache, jobs, log, lambda m: m if m != CHECKER_MODULE else "(statements)",
                            on_abort=lambda: [p.kill() for p in list(procs)])
        return _assemble(lib, results, chk_owner, stage, "static")
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)


def _schedule(jobs_by_name: dict[str, _Job], deps: dict[str, set[str]], run: Callable[[_Job], dict],
              store: ObjectStore, use_cache: bool, jobs: int, log: Callable[[str], None],
              label: Callable[[str], str], on_abort: Callable[[], object] = lambda: None) -> dict[str, dict]:
    """Run the jobs in dependency order, ``jobs`` at a time, reusing cached results.

    Returns name -> {status, cached, seconds, result}. A job whose import failed is ``skipped``.
    ``on_abort`` runs if the loop is interrupted (it must stop the running jobs, or the pool waits for them).
    """
    pending = dict(deps)
    out: dict[str, dict] = {}
    width = max(len(label(m)) for m in jobs_by_name)
    with cf.ThreadPoolExecutor(max_workers=jobs) as pool:
        running: dict[cf.Future, tuple[str, float]] = {}
        try:
            _drain(pending, running, out, jobs_by_name, deps, run, store, use_cache, log, label, width, pool)
        except BaseException:
            on_abort()
            raise
    return out


def _drain(pending: dict, running: dict, out: dict, jobs_by_name: dict[str, _Job], deps: dict[str, set[str]],
           run: Callable[[_Job], dict], store: ObjectStore, use_cache: bool, log: Callable[[str], None],
           label: Callable[[str], str], width: int, pool: cf.ThreadPoolExecutor) -> None:
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
                result, olean = hit
                if olean is not None and job.olean is not None:
                    _link_or_copy(olean, job.olean)
                out[m] = {"status": _status(result), "cached": True, "seconds": time.monotonic() - t0,
                          "result": result}
                log(f"  {label(m):<{width}}  cached ({result['seconds']:.1f} s when compiled)")
                continue
            running[pool.submit(run, job)] = (m, t0)
        if not running:
            continue
        done, _ = cf.wait(list(running), return_when=cf.FIRST_COMPLETED)
        for fut in done:
            m, t0 = running.pop(fut)
            job = jobs_by_name[m]
            result = fut.result()
            status = _status(result)
            produced = job.olean if job.olean is not None and job.olean.exists() else None
            # only a run that ended normally (Lean's verdict, not a crash/timeout) is cached
            if result["returncode"] == 0 or (status == "failed" and any(is_failure(x) for x in result["messages"])):
                store.put(job.key, result, produced if status == "ok" else None)
            out[m] = {"status": status, "cached": False, "seconds": result["seconds"], "result": result}
            log(f"  {label(m):<{width}}  {result['seconds']:.1f} s" + ("" if status == "ok" else "  FAILED"))


def _status(result: dict) -> str:
    return "ok" if result["returncode"] == 0 and not any(is_failure(m) for m in result["messages"]) else "failed"


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
    for name, axs in res["axioms"].items():
        bad = sorted(set(axs) - S.ALLOWED_AXIOMS)
        if bad:
            d = next(d for d in checked if d.name == name)
            res["errors"].append(LeanError(str(lib.root / d.file), d.line, 0,
                                           f"{name} depends on axioms outside {sorted(S.ALLOWED_AXIOMS)}: {bad}"))
    missing = [d.name for d in checked if d.name not in res["axioms"]]
    if missing:
        res["errors"].append(LeanError(str(lib.root), 1, 0, f"#print axioms gave no verdict for {missing[:10]}"))
    return res


# --- public API -----------------------------------------------------------------------------------------

def verify_library(lean_dir: Path, *, cache_dir: Path | None = None, toolchain: str = "auto", jobs: int = 2,
                   log: Callable[[str], None] = print, use_cache: bool = True) -> VerifyResult:
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
    return _verify(lib, tc, cache_dir, jobs, log, use_cache)


def _verify(lib: Library, tc: Toolchain, cache_dir: Path, jobs: int, log: Callable[[str], None],
            use_cache: bool) -> VerifyResult:
    t_start = time.monotonic()
    log(f"verifying {lib.root} with {tc.version} ({len(lib.paths)} modules, source {lib.source_hash[:12]})")
    decls = [d for m in lib.order()
             for d in S.parse_declarations(lib.texts[m], m, lib.paths[m].as_posix())]
    pkg = frozenset(lib.paths)
    findings = [f for m in lib.order() for f in S.audit_source(lib.texts[m], str(lib.root / lib.paths[m]), pkg)]
    if isinstance(tc, WasmToolchain):
        require_wasm_visible(cache_dir)
        res = _verify_wasm(lib, tc, cache_dir, jobs, use_cache, decls, log)
    else:
        res = _verify_native(lib, tc, decls, log)
    errors = [LeanError(f.file, f.line, f.col, f.message) for f in findings] + res["errors"]
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
        if res["audit"] == "static+print-axioms":
            e["axioms"] = res["axioms"].get(d.name or "")
            e["axiom_audit"] = "#print axioms (native)" if e["axioms"] is not None else "static only"
        else:
            e["axioms"] = None
            e["axiom_audit"] = ("static: no axiom-adding or code-running construct in " + d.file) \
                if str(lib.root / d.file) not in dirty else "static: FAILED (forbidden construct in file)"
        entries.append(e)
    total = time.monotonic() - t_start
    inventory = {
        "schema": 1,
        "verifier_version": VERIFIER_VERSION,
        "toolchain": tc.version,
        "toolchain_kind": tc.kind,
        "toolchain_identity": tc.identity,
        "audit": res["audit"],
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
        _store_inventory(cache_dir, inventory_key(lib, tc), inventory)
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
