"""Reading Lean 4 ``.olean`` files and collecting the axioms a declaration's proof term depends on.

An independent, pure-Python (standard library only) reader of the compacted object region Lean writes
(``src/runtime/compact.cpp``, ``src/library/module.cpp``), and on top of it an axiom collector that
follows Lean's ``CollectAxioms`` over the *stored proof terms*, not over source text:

* ``axiomInfo`` -> the constant is an axiom;
* ``defnInfo`` / ``thmInfo`` / ``opaqueInfo`` -> visit type and value;
* ``quotInfo`` -> nothing;
* ``inductInfo`` -> type and constructors; ``ctorInfo`` / ``recInfo`` -> type;

collecting every ``Expr.const`` name reached (plus, conservatively, the structure named by each
``Expr.proj``), transitively and memoised (strongly connected components, so mutual references between
an inductive type and its constructors are handled). Unlike Lean, which silently skips a name it cannot
find, an unknown constant raises :class:`UnknownConstantError`.

File format (read from Lean's sources at the commit of this toolchain, 4.28.0-pre)
-------------------------------------------------------------------------------
``olean_header``: ``"olean"``, format byte (2), flags byte (bit 0: GMP bignums), the Lean version
(33 bytes, NUL padded), the git hash (40 bytes), ``size_t base_addr`` (the address the file was meant
to be mapped at), then the region. The region starts with the address of the root object (a
``ModuleData``); every pointer is an absolute address ``base_addr + file offset``; a scalar is an odd
word ``(n << 1) | 1``. Objects carry an 8-byte header (``int32 m_rc``, ``uint16 m_cs_sz`` = byte size
of a small object, ``uint8 m_other`` = number of pointer fields of a constructor, ``uint8 m_tag``);
constructors (tag <= 243) have ``m_other`` pointer fields then their scalar fields; arrays, scalar
arrays and strings have ``size_t`` size/capacity (strings also the length) then the data. The word
size is detected from the header (4 bytes for the WebAssembly build used here, 8 for native Lean).
A module under the module system is written as three *parts* sharing one compactor: ``M.olean``
(exported level), ``M.olean.server`` and ``M.olean.private``; later parts point into earlier ones, so
they are loaded together. The compactor writes children before parents, so every pointer field points
to a lower address; the reader enforces this, which also guarantees termination on corrupt input.

Answers to the audit questions (measured on this toolchain)
-----------------------------------------------------------
1. *Where are proof bodies stored?* For a library module compiled here (every file is a ``module``)
   the public ``M.olean`` holds each non-private theorem as an ``axiomInfo`` with the theorem's type
   and **no value** (Lean's ``addDecl`` "exports theorems as axioms"); definitions that are not
   ``@[expose]``/``abbrev`` (and ``opaque`` constants) are exported the same way; private
   declarations are absent. The original kind of every such stand-in is recorded in the extension
   ``privateConstKindsExt`` (entries ``(name, ConstantKind)``), which is how a real ``axiom`` (no
   entry) is told from a stand-in. ``M.olean.server`` adds no constants (docstrings, declaration
   ranges). ``M.olean.private`` holds the module's full kernel environment: every theorem as
   ``thmInfo`` *with its proof term*, every definition with its value, private and auxiliary
   declarations (``_proof_n``, matchers, ``_nativeDecide`` helpers, equation lemmas). The collector
   reads the ``.private`` part whenever it exists.
   The shipped ``Init`` / ``Std`` / ``Lean`` libraries have only the exported ``.olean`` files, so
   **the proof terms of Init theorems are absent**. Under ``import Init`` (506 modules, 45,818
   constants) there are 25,105 theorem, 2,903 definition and 296 ``opaque`` stand-ins; 4,913
   theorems (exported as-is, mostly generated ones) and 10,736 definitions keep their values; exactly
   14 real axioms remain (``propext``, ``Classical.choice``, ``Quot.sound``, ``sorryAx``,
   ``Lean.ofReduceBool``, ``Lean.ofReduceNat``, ``Lean.trustCompiler`` and the unsafe compiler axioms
   ``lcProof`` ...). This Lean version stores no axiom table (no ``exportedAxiomsExt``; later versions
   add one). So no sound axiom set exists for a declaration that reaches an Init theorem, e.g.
   ``Classical.em``, ``funext``, ``Nat.add_comm``: such constants are reported in
   :attr:`AxiomReport.opaque` (bodies the audit could not see), and :meth:`AxiomCollector.axioms` /
   :meth:`AxiomCollector.module_axioms` raise :class:`OpaqueBodyError` rather than call them
   axiom-free. :attr:`AxiomReport.axioms` is then a lower bound (what the stored terms reach) and
   :attr:`AxiomReport.possible_axioms` an upper bound (the real, non-private axioms of the modules
   an opaque constant could use; unsafe ones only for unsafe constants). Private constants that an
   exported-only module references but did not export are opaque too. A complete audit down to the
   kernel axioms needs ``.olean.private`` files for ``Init`` (a toolchain shipping them, or Init
   rebuilt locally).
2. *Cost* (CPU seconds on the shared 2-core machine; wall time equal when it is idle, up to 10x when
   it is loaded): loading the 507 modules below ``SpectralUniversality.ModeDynamics`` (all of Init):
   0.2 s; its 147 constants (1,035 solved with their dependencies): 0.15 s cold, < 0.01 s warm. The
   whole library (8 modules, 550 constants): 0.2 s load + 0.3 s cold, 0.02 s warm. Every constant
   of Init: 3.4 s; of ``Lean`` + ``Std`` + ``Lake`` (2,077 modules, 146,177 constants): 0.9 s load,
   18.5 s. Files are read once each (memory-mapped on Python >= 3.13), objects decoded on demand
   with ``struct.unpack_from``, names and results memoised, and only the transitive imports of the
   modules asked for are loaded.

Public API: :func:`read_olean` -> :class:`Olean`; :class:`AxiomCollector`; the records
:class:`OleanHeader`, :class:`Import`, :class:`ConstantRecord`, :class:`AxiomReport`; the errors
:class:`OleanError`, :class:`UnknownConstantError`, :class:`OpaqueBodyError`.
"""

from __future__ import annotations

import mmap
import os
import re
import struct
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from spectral_universality.errors import InputError, SpectralUniversalityError

#: The Lean version this reader's layout was taken from; other versions are refused by default.
EXPECTED_LEAN_VERSION = "4.28.0-pre"
OLEAN_MARKER = b"olean"
OLEAN_FORMAT = 2
_FIXED_HEADER = 5 + 1 + 1 + 33 + 40  # marker, format, flags, version, githash; then size_t base_addr

# object tags (src/include/lean/lean.h)
_MAX_CTOR_TAG = 243
_TAG_PROMISE, _TAG_CLOSURE, _TAG_ARRAY, _TAG_STRUCT_ARRAY = 244, 245, 246, 247
_TAG_SCALAR_ARRAY, _TAG_STRING, _TAG_MPZ, _TAG_THUNK, _TAG_TASK, _TAG_REF = 248, 249, 250, 251, 252, 253

#: ``ConstantInfo`` constructors, in declaration order (``src/Lean/Declaration.lean``)
KINDS = ("axiom", "defn", "thm", "opaque", "quot", "induct", "ctor", "rec")
#: pointer fields of each ``*Val`` structure (the first is always ``toConstantVal``)
_VAL_NOBJ = {"axiom": 1, "defn": 4, "thm": 3, "opaque": 3, "quot": 1, "induct": 6, "ctor": 5, "rec": 7}
#: ``ConstantKind`` constructors (``src/Lean/Environment.lean``), as stored in ``privateConstKindsExt``
_CONSTANT_KINDS = ("defn", "thm", "axiom", "opaque", "quot", "induct", "ctor", "rec")
_PRIVATE_KINDS_EXT = "_private.Lean.AddDecl.0.Lean.privateConstKindsExt"
_DECL_RANGE_EXT = "Lean.declRangeExt"
_AUX_REC_EXT = "Lean.auxRecExt"
_NO_CONFUSION_EXT = "Lean.noConfusionExt"
_MATCHER_EXT = "Lean.Meta.Match.Extension.extension"
#: ``Expr`` constructors: bvar fvar mvar sort const app lam forallE letE lit mdata proj -> pointer fields
_EXPR_NOBJ = (1, 1, 1, 1, 2, 2, 3, 3, 4, 1, 2, 3)
_LEVELS = ("exported", "server", "private")
_MMAP_NO_FD = sys.version_info >= (3, 13)
#: name components Lean generates for auxiliary declarations (besides components starting with ``_``)
_AUX_SUFFIXES = frozenset({
    "rec", "recOn", "casesOn", "noConfusion", "noConfusionType", "below", "brecOn", "binductionOn",
    "ibelow", "injEq", "inj", "sizeOf_spec", "ctorIdx", "ctorElim", "ctorElimType", "eq_def", "induct",
    "mutual_induct", "fun_cases", "eq_unfold", "match_pattern", "toCtorIdx", "ofNat_toCtorIdx"})


class OleanError(InputError):
    """An ``.olean`` file is missing, truncated, corrupt, of another Lean version, or not understood."""


class UnknownConstantError(SpectralUniversalityError, LookupError):
    """A constant is not defined in any loaded module (``name``; ``referenced_by`` when reached)."""

    def __init__(self, name: str, referenced_by: str | None = None, where: str = "") -> None:
        self.name = name
        self.referenced_by = referenced_by
        msg = f"unknown constant {name!r}"
        if referenced_by is not None:
            msg += f" (referenced by {referenced_by!r})"
        super().__init__(msg + (f": {where}" if where else ""))


class OpaqueBodyError(SpectralUniversalityError):
    """The axiom set is incomplete: some reached constants' bodies are not in the files read."""

    def __init__(self, name: str, opaque: Iterable[str]) -> None:
        self.name = name
        self.opaque = frozenset(opaque)
        shown = sorted(self.opaque)
        more = f" and {len(shown) - 5} more" if len(shown) > 5 else ""
        super().__init__(
            f"cannot audit {name!r}: it reaches {len(shown)} constant(s) whose bodies are not in the "
            f".olean files read (exported stand-ins without an .olean.private part), e.g. "
            f"{', '.join(shown[:5])}{more}; use AxiomCollector.report() for the partial result")


@dataclass(frozen=True)
class OleanHeader:
    """The fixed header of one ``.olean`` part."""

    format: int
    gmp: bool
    lean_version: str
    githash: str
    base_addr: int
    word_size: int


@dataclass(frozen=True)
class Import:
    """One ``import`` of a module (``ModuleData.imports``)."""

    module: str
    import_all: bool
    is_exported: bool
    is_meta: bool


@dataclass(frozen=True)
class ConstantRecord:
    """One constant as stored in the part read (``ConstantInfo``).

    ``kind`` is the stored constructor; ``original_kind`` the kind as declared (it differs for exported
    stand-ins: a theorem stored as ``axiom``). ``value_refs`` is ``None`` when no value is stored
    (axioms, inductives, constructors, recursors, quotients and stand-ins). ``ctors`` lists the
    constructors of an inductive type.
    """

    name: str
    kind: str
    original_kind: str
    level_params: tuple[str, ...]
    type_refs: frozenset[str]
    value_refs: frozenset[str] | None
    ctors: tuple[str, ...]
    is_unsafe: bool
    #: the 64-bit ``Expr.Data`` of the type and of the value (``None`` without one): Lean's structural hash
    #: and flags of the term, independent of where the objects lie in the file
    type_data: int = 0
    value_data: int | None = None

    @property
    def is_stand_in(self) -> bool:
        """An exported stand-in: stored as an axiom, declared as a theorem/definition/opaque."""
        return self.kind == "axiom" and self.original_kind != "axiom"

    @property
    def is_axiom(self) -> bool:
        """A real axiom (declared with ``axiom``, or added to the kernel as one)."""
        return self.kind == "axiom" and self.original_kind == "axiom"


@dataclass(frozen=True)
class AxiomReport:
    """The axioms a constant depends on, as far as the files read show.

    ``axioms``: axioms reached through stored terms. ``opaque``: reached constants whose bodies are not
    stored (exported stand-ins of theorems/definitions/opaques, unexported private or auxiliary
    constants), so ``axioms`` is complete iff ``opaque`` is empty. ``possible_axioms``: an upper bound,
    ``axioms`` plus every real axiom declared in the module of an opaque constant or in that module's
    imports (unsafe ones only for an unsafe constant); it cannot include private axioms of a module
    read at the exported level, which that file does not contain. ``user_visible``: written in the
    source (it has a declaration range; when the file has none, judged by its name), as opposed to
    generated (``_proof_n``, matchers, recursors, ``noConfusion`` ...).
    """

    name: str
    module: str
    kind: str
    original_kind: str
    user_visible: bool
    axioms: frozenset[str]
    opaque: frozenset[str]
    possible_axioms: frozenset[str]

    @property
    def complete(self) -> bool:
        """Whether every reached body was seen (then ``axioms`` is exactly Lean's answer)."""
        return not self.opaque


# --------------------------------------------------------------------------------------------------
# the compacted region


class _Part:
    """One file of a module: its bytes (memory-mapped where that costs no file descriptor) and header."""

    __slots__ = ("path", "level", "buf", "header", "start", "end", "_mm")

    def __init__(self, path: Path, level: str, expected_version: str | None) -> None:
        self.path, self.level = path, level
        self._mm = None
        try:
            with open(path, "rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                if size < _FIXED_HEADER + 8:
                    raise OleanError(f"{path}: truncated ({size} bytes): not even an .olean header")
                if _MMAP_NO_FD:  # Python >= 3.13: the map keeps no descriptor open
                    self._mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ, trackfd=False)
                    self.buf = self._mm
                else:  # an mmap would hold a descriptor per file: hundreds for `import Init`
                    self.buf = fh.read()
        except OSError as exc:
            raise OleanError(f"cannot read {path}: {exc.strerror or exc}") from exc
        if len(self.buf) != size:
            self.close()
            raise OleanError(f"{path}: changed while being read")
        try:
            self.header = _parse_header(self.buf, size, path, expected_version)
        except BaseException:
            self.close()
            raise
        self.start = self.header.base_addr
        self.end = self.start + size

    def close(self) -> None:
        if self._mm is not None:
            self._mm.close()
            self._mm = None


def _parse_header(buf, size: int, path: Path, expected_version: str | None) -> OleanHeader:
    if bytes(buf[0:5]) != OLEAN_MARKER:
        raise OleanError(f"{path}: not an .olean file (bad magic {bytes(buf[0:5])!r})")
    fmt, flags = buf[5], buf[6]
    version = bytes(buf[7:40]).split(b"\0", 1)[0].decode("ascii", "replace")
    githash = bytes(buf[40:80]).split(b"\0", 1)[0].decode("ascii", "replace")
    if fmt != OLEAN_FORMAT:
        raise OleanError(f"{path}: .olean format {fmt}, this reader knows format {OLEAN_FORMAT} "
                         f"(file written by Lean {version})")
    if expected_version is not None and version != expected_version:
        raise OleanError(f"{path}: written by Lean {version!r}, this reader expects {expected_version!r}")
    # The word size is not stored: try 8 then 4 bytes, requiring a 64 KiB-aligned base address below
    # 2^47 (module.cpp) and an aligned root pointer into this file or, for a later part whose root
    # object was shared with an earlier part, below it.
    for w, fmt_w in ((8, "<Q"), (4, "<I")):
        if _FIXED_HEADER + 2 * w > size:
            continue
        base = struct.unpack_from(fmt_w, buf, _FIXED_HEADER)[0]
        root = struct.unpack_from(fmt_w, buf, _FIXED_HEADER + w)[0]
        if base % 65536 == 0 and 0 < base < 1 << 47 and root % w == 0 and \
                (base + _FIXED_HEADER + 2 * w <= root < base + size or root < base):
            return OleanHeader(fmt, bool(flags & 1), version, githash, base, w)
    raise OleanError(f"{path}: truncated or corrupt: no valid base address and root object pointer "
                     f"({size} bytes)")


class _Heap:
    """The parts of one module, addressed by the absolute addresses the compactor stored."""

    def __init__(self, parts: list[_Part]) -> None:
        self.parts = parts
        h0 = parts[0].header
        for prev, p in zip(parts, parts[1:]):
            if (p.header.word_size, p.header.githash, p.header.lean_version) != \
                    (h0.word_size, h0.githash, h0.lean_version) or p.start < prev.end:
                raise OleanError(f"{p.path} does not belong with {parts[0].path} (other build, or written "
                                 f"separately: its addresses overlap)")
        self.w = w = h0.word_size
        self.gmp = h0.gmp
        self._wfmt = "<Q" if w == 8 else "<I"
        self._wch = "Q" if w == 8 else "I"
        self._hdr = struct.Struct("<iHBB")
        self._name_s = struct.Struct(f"<iHBB2{self._wch}")
        self._str_s = struct.Struct(f"<iHBB{self._wch}")
        self._expr3 = struct.Struct(f"<iHBB3{self._wch}")
        self._names: dict[int, str] = {}

    # -- raw access -------------------------------------------------------------------------------

    def _where(self, addr: int) -> tuple[object, int, _Part]:
        for p in self.parts:
            if p.start <= addr < p.end:
                return p.buf, addr - p.start, p
        raise OleanError(f"{self.parts[0].path}: corrupt: pointer {addr:#x} outside the file(s)")

    def root(self, part: _Part) -> int:
        """The root object (``ModuleData``) of a part: in that part or an earlier one."""
        r = struct.unpack_from(self._wfmt, part.buf, _FIXED_HEADER + self.w)[0]
        if not any(p.start + _FIXED_HEADER + 2 * self.w <= r < p.end for p in self.parts if p.start <= part.start):
            raise OleanError(f"{part.path}: truncated or corrupt: the root object pointer {r:#x} points "
                             f"outside the file(s)")
        return r

    def header(self, addr: int) -> tuple[object, int, int, int, int]:
        """``(buf, offset, byte size of a small object, m_other, m_tag)``, bounds-checked."""
        if addr & 1:
            raise OleanError(f"{self.parts[0].path}: corrupt: expected an object, found scalar {addr >> 1}")
        buf, off, part = self._where(addr)
        if off + 8 > part.end - part.start or off < _FIXED_HEADER:
            raise OleanError(f"{part.path}: truncated or corrupt: object at {addr:#x} past the end")
        _rc, cs, other, tag = self._hdr.unpack_from(buf, off)
        if tag <= _MAX_CTOR_TAG and (cs < 8 + self.w * other or off + cs > part.end - part.start):
            raise OleanError(f"{part.path}: truncated or corrupt: constructor at {addr:#x} overruns the file")
        return buf, off, cs, other, tag

    def ctor(self, addr: int, what: str, nobj: int | None = None,
             tags: Sequence[int] | None = None) -> tuple[int, tuple[int, ...]]:
        """``(tag, pointer fields)`` of a constructor object, checked against the expected shape."""
        buf, off, _cs, other, tag = self.header(addr)
        if tag > _MAX_CTOR_TAG or (nobj is not None and other != nobj) or (tags is not None and tag not in tags):
            raise OleanError(f"{self.parts[0].path}: unexpected layout: {what} at {addr:#x} has tag {tag} "
                             f"and {other} fields (expected {list(tags) if tags else 'a constructor'}"
                             f"{'' if nobj is None else f' with {nobj} fields'})")
        fields = struct.unpack_from(f"<{other}{self._wch}", buf, off + 8)
        for f in fields:
            if not f & 1 and f >= addr:
                raise OleanError(f"{self.parts[0].path}: corrupt: {what} at {addr:#x} points forward to {f:#x}")
        return tag, fields

    def scalar_u8(self, addr: int, index: int) -> int:
        buf, off, cs, other, _tag = self.header(addr)
        pos = 8 + self.w * other + index
        if pos >= cs:
            raise OleanError(f"{self.parts[0].path}: unexpected layout: no scalar byte {index} at {addr:#x}")
        return buf[off + pos]

    def array(self, addr: int, what: str) -> tuple[int, ...]:
        buf, off, _cs, _other, tag = self.header(addr)
        if tag != _TAG_ARRAY:
            raise OleanError(f"{self.parts[0].path}: unexpected layout: {what} at {addr:#x} is not an array "
                             f"(tag {tag})")
        w = self.w
        n = struct.unpack_from(self._wfmt, buf, off + 8)[0]
        part = self._where(addr)[2]
        if off + 8 + 2 * w + n * w > part.end - part.start:
            raise OleanError(f"{part.path}: truncated or corrupt: array at {addr:#x} overruns the file")
        items = struct.unpack_from(f"<{n}{self._wch}", buf, off + 8 + 2 * w)
        for f in items:
            if not f & 1 and f >= addr:
                raise OleanError(f"{part.path}: corrupt: array at {addr:#x} points forward to {f:#x}")
        return items

    def string(self, addr: int) -> str:
        buf, off, _cs, _other, tag = self.header(addr)
        if tag != _TAG_STRING:
            raise OleanError(f"{self.parts[0].path}: unexpected layout: expected a string at {addr:#x}, tag {tag}")
        w = self.w
        size = struct.unpack_from(self._wfmt, buf, off + 8)[0]
        part = self._where(addr)[2]
        data = off + 8 + 3 * w
        if size < 1 or data + size > part.end - part.start:
            raise OleanError(f"{part.path}: truncated or corrupt: string at {addr:#x} overruns the file")
        return bytes(buf[data:data + size - 1]).decode("utf-8", "surrogateescape")

    def nat(self, word: int) -> int:
        """A ``Nat``: a boxed scalar or a bignum object."""
        if word & 1:
            return word >> 1
        buf, off, _cs, _other, tag = self.header(word)
        if tag != _TAG_MPZ:
            raise OleanError(f"{self.parts[0].path}: unexpected layout: expected a Nat at {word:#x}, tag {tag}")
        w = self.w
        if self.gmp:  # __mpz_struct {int _mp_alloc; int _mp_size; mp_limb_t *_mp_d}
            nlimbs = abs(struct.unpack_from("<i", buf, off + 12)[0])
            limb, digits_ptr = w, struct.unpack_from(self._wfmt, buf, off + 16)[0]
        else:  # mpz {bool m_sign; size_t m_size; mpn_digit *m_digits}, 32-bit digits
            nlimbs = struct.unpack_from(self._wfmt, buf, off + 8 + w)[0]
            limb, digits_ptr = 4, struct.unpack_from(self._wfmt, buf, off + 8 + 2 * w)[0]
        dbuf, doff, part = self._where(digits_ptr)
        if doff + limb * nlimbs > part.end - part.start:
            raise OleanError(f"{part.path}: truncated or corrupt: bignum at {word:#x} overruns the file")
        return int.from_bytes(bytes(dbuf[doff:doff + limb * nlimbs]), "little")

    def name(self, word: int) -> str:
        """A ``Name`` rendered as Lean prints it (components joined by ``.``, odd ones in ``«»``)."""
        if word == 1:  # Name.anonymous = box(0)
            return "[anonymous]"
        got = self._names.get(word)
        if got is not None:
            return got
        chain: list[tuple[int, int, int]] = []
        cur = word
        names, name_s, str_s, w = self._names, self._name_s, self._str_s, self.w
        path = self.parts[0].path
        while cur != 1 and cur not in names:
            buf, off, limit = self._loc(cur)
            _rc, cs, other, tag, pre, comp = name_s.unpack_from(buf, off)
            if other != 2 or tag not in (1, 2) or off + cs > limit or cs < 8 + 2 * w:
                raise OleanError(f"{path}: unexpected layout: Name at {cur:#x} has tag {tag} and {other} fields")
            if (pre >= cur and pre != 1) or (comp >= cur and not comp & 1) or pre & 1 and pre != 1:
                raise OleanError(f"{path}: corrupt: Name at {cur:#x} points forward")
            chain.append((cur, tag, comp))
            cur = pre
        prefix = names.get(cur, "")
        for a, tag, comp in reversed(chain):
            if tag == 1:
                buf, off, limit = self._loc(comp)
                _rc, _cs, _other, stag, size = str_s.unpack_from(buf, off)
                data = off + 8 + 3 * w
                if stag != _TAG_STRING or size < 1 or data + size > limit:
                    raise OleanError(f"{path}: unexpected layout: Name component at {comp:#x} is not a string")
                part = bytes(buf[data:data + size - 1]).decode("utf-8", "surrogateescape")
                if not _PLAIN_COMPONENT(part):
                    part = f"«{part}»"
            else:
                part = str(self.nat(comp))
            prefix = f"{prefix}.{part}" if prefix else part
            names[a] = prefix
        return names[word]

    def _loc(self, addr: int) -> tuple[object, int, int]:
        """``(buf, offset, file size)`` of the object at ``addr``, with room for its header."""
        for p in self.parts:
            if p.start + _FIXED_HEADER <= addr and addr + 8 <= p.end and not addr & 1:
                return p.buf, addr - p.start, p.end - p.start
        raise OleanError(f"{self.parts[0].path}: corrupt: pointer {addr:#x} outside the file(s)")

    def names_of_list(self, word: int, what: str) -> tuple[str, ...]:
        out = []
        while word != 1:  # List.nil = box(0)
            _tag, (head, word) = self.ctor(word, what, 2, (1,))
            out.append(self.name(head))
        return tuple(out)

    def expr_data(self, addr: int) -> int:
        """The ``Expr.Data`` word (structural hash, flags, loose bound-variable range) of the ``Expr`` at
        ``addr``: it follows the object's pointer fields."""
        buf, off, limit = self._loc(addr)
        _rc, cs, other, tag = struct.unpack_from("<iHBB", buf, off)
        if tag > 11 or other != _EXPR_NOBJ[tag] or off + 8 + self.w * other + 8 > limit:
            raise OleanError(f"{self.parts[0].path}: unexpected layout: Expr at {addr:#x} has tag {tag}")
        return struct.unpack_from("<Q", buf, off + 8 + self.w * other)[0]

    def expr_consts(self, root: int, seen: set[int], out: set[str]) -> None:
        """Add to ``out`` every constant named by an ``Expr.const`` (or ``Expr.proj``) under ``root``.

        ``seen`` holds the addresses already visited (shared subterms are visited once). Every
        ``Expr`` object carries an 8-byte ``data`` field after its pointers, so reading the header
        and three words never leaves the object.
        """
        path = self.parts[0].path
        spans = [(p.start + _FIXED_HEADER, p.end, p.start, p.buf) for p in self.parts]
        lo0, hi0, start0, buf0 = spans[0]
        top0 = hi0 - 8 - 3 * self.w
        head3 = self._expr3.unpack_from
        w = self.w
        names, name = self._names, self.name
        stack = [root]
        pop, push, seen_add = stack.pop, stack.append, seen.add
        while stack:
            a = pop()
            if a in seen:
                continue
            seen_add(a)
            if lo0 <= a <= top0 and not a & 1:
                buf, off, hi = buf0, a - start0, hi0
            else:
                for lo, hi, start, buf in spans:
                    if lo <= a <= hi - 8 - 3 * w and not a & 1:
                        off = a - start
                        break
                else:
                    raise OleanError(f"{path}: corrupt: Expr pointer {a:#x} outside the file(s)")
            _rc, cs, other, tag, f0, f1, f2 = head3(buf, off)
            if tag > 11 or other != _EXPR_NOBJ[tag] or cs < 16 + w * other or a + cs > hi:
                raise OleanError(f"{path}: unexpected layout: Expr at {a:#x} has tag {tag} and {other} fields")
            if tag == 5:  # app (fn, arg)
                if f0 >= a or f1 >= a:
                    raise OleanError(f"{path}: corrupt: Expr at {a:#x} points forward")
                push(f0)
                push(f1)
            elif tag < 4 or tag == 9:  # bvar fvar mvar sort lit: no constants
                continue
            elif tag == 4:  # const (declName, us)
                out.add(names.get(f0) or name(f0))
            elif tag == 6 or tag == 7:  # lam / forallE (binderName, binderType, body)
                if f1 >= a or f2 >= a:
                    raise OleanError(f"{path}: corrupt: Expr at {a:#x} points forward")
                push(f1)
                push(f2)
            elif tag == 8:  # letE (declName, type, value, body)
                f3 = struct.unpack_from(self._wfmt, buf, off + 8 + 3 * w)[0]
                if f1 >= a or f2 >= a or f3 >= a:
                    raise OleanError(f"{path}: corrupt: Expr at {a:#x} points forward")
                push(f1)
                push(f2)
                push(f3)
            elif tag == 10:  # mdata (data, expr)
                if f1 >= a:
                    raise OleanError(f"{path}: corrupt: Expr at {a:#x} points forward")
                push(f1)
            else:  # proj (typeName, idx, struct): the structure counts as used (conservative)
                if f2 >= a:
                    raise OleanError(f"{path}: corrupt: Expr at {a:#x} points forward")
                out.add(names.get(f0) or name(f0))
                push(f2)

    def close(self) -> None:
        for p in self.parts:
            p.close()


#: a name component Lean prints without ``«»`` (an identifier part; approximates Lean's ``isIdFirst``/``isIdRest``)
_PLAIN_COMPONENT = re.compile(r"[^\W\d][\w'!?\u2080-\u209c\u1d62-\u1d6a\u2c7c]*\Z").match


# --------------------------------------------------------------------------------------------------
# one module


class Olean:
    """The data of one module: its ``.olean`` and, when present and asked for, ``.server``/``.private``.

    Attributes
    ----------
    path : Path
        The ``.olean`` file.
    level : {"exported", "server", "private"}
        The part whose ``ModuleData`` is read (the highest present up to the one asked for): the
        private part holds every constant with its body.
    header : OleanHeader
        Header of ``path``.
    is_module : bool
        Whether the file was compiled under the module system.
    imports : tuple of Import
        Direct imports.
    constant_names : tuple of str
        Every constant defined by the module, at ``level``.
    """

    def __init__(self, path: Path, *, level: str = "private",
                 expected_version: str | None = EXPECTED_LEAN_VERSION) -> None:
        if level not in _LEVELS:
            raise ValueError(f"level must be one of {_LEVELS}, not {level!r}")
        self.path = Path(path)
        parts = [_Part(self.path, "exported", expected_version)]
        try:
            # Parts are written as a prefix-closed sequence (exported, server, private): later ones
            # point into earlier ones, so stop at the first one missing.
            for lv in _LEVELS[1:_LEVELS.index(level) + 1]:
                extra = Path(f"{self.path}.{lv}")
                if not extra.exists():
                    break
                parts.append(_Part(extra, lv, expected_version))
            self._heap = _Heap(parts)
        except BaseException:
            for p in parts:
                p.close()
            raise
        self.header = parts[0].header
        top = parts[-1]
        self.level = top.level
        self.parts = tuple(p.path for p in parts)
        heap = self._heap
        try:
            _tag, f = heap.ctor(heap.root(top), "ModuleData", 5, (0,))
            self.is_module = bool(heap.scalar_u8(heap.root(top), 0))
            imps = []
            for a in heap.array(f[0], "ModuleData.imports"):
                _t, (mod,) = heap.ctor(a, "Import", 1, (0,))
                imps.append(Import(heap.name(mod), bool(heap.scalar_u8(a, 0)), bool(heap.scalar_u8(a, 1)),
                                   bool(heap.scalar_u8(a, 2))))
            self.imports = tuple(imps)
            self._const_addrs = heap.array(f[2], "ModuleData.constants")
            names = tuple(heap.name(n) for n in heap.array(f[1], "ModuleData.constNames"))
            if len(names) != len(self._const_addrs):
                raise OleanError(f"{top.path}: corrupt: {len(names)} constant names for "
                                 f"{len(self._const_addrs)} constants")
            self.constant_names = names
            self._index = {n: i for i, n in enumerate(names)}
            # Extensions are per level; the exported part's privateConstKindsExt names the stand-ins.
            self._entries_addr = f[4]
            self._exported_entries_addr = heap.ctor(heap.root(parts[0]), "ModuleData", 5, (0,))[1][4]
            self._orig_kinds: dict[str, str] | None = None
        except BaseException:
            heap.close()
            raise

    def _find_entries(self, entries_addr: int, ext: str) -> tuple[int, ...]:
        """The entries of extension ``ext`` in a ``ModuleData.entries`` array (empty when absent).

        Only the last name component is decoded for the extensions that do not match.
        """
        heap = self._heap
        last = _components(ext)[-1]
        for e in heap.array(entries_addr, "ModuleData.entries"):
            _t, (n, arr) = heap.ctor(e, "extension entry", 2, (0,))
            tag, (_pre, comp) = heap.ctor(n, "Name", 2, (1, 2))
            if tag == 1 and heap.string(comp) == last.strip("«»") and heap.name(n) == ext:
                return heap.array(arr, f"{ext} entries")
        return ()

    def __enter__(self) -> "Olean":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Unmap the files (records already returned stay valid)."""
        self._heap.close()

    def __repr__(self) -> str:
        return f"Olean({str(self.path)!r}, level={self.level!r}, constants={len(self.constant_names)})"

    @property
    def extension_names(self) -> tuple[str, ...]:
        """Names of the environment extensions stored at ``level``."""
        heap = self._heap
        return tuple(heap.name(heap.ctor(e, "extension entry", 2, (0,))[1][0])
                     for e in heap.array(self._entries_addr, "ModuleData.entries"))

    def extension_entry_count(self, ext: str) -> int:
        """Number of entries of extension ``ext`` at ``level`` (0 when absent)."""
        return len(self._find_entries(self._entries_addr, ext))

    def original_kinds(self) -> dict[str, str]:
        """``privateConstKindsExt`` of the exported part: stand-in name -> kind as declared."""
        if self._orig_kinds is None:
            heap, out = self._heap, {}
            for e in self._find_entries(self._exported_entries_addr, _PRIVATE_KINDS_EXT):
                _t, (n, k) = heap.ctor(e, "privateConstKindsExt entry", 2, (0,))
                if not k & 1 or (k >> 1) >= len(_CONSTANT_KINDS):
                    raise OleanError(f"{self.path}: unexpected layout: ConstantKind {k:#x} in {_PRIVATE_KINDS_EXT}")
                out[heap.name(n)] = _CONSTANT_KINDS[k >> 1]
            self._orig_kinds = out
        return self._orig_kinds

    def tagged_names(self, ext: str) -> frozenset[str]:
        """Names recorded by extension ``ext`` at ``level``: entries that are a ``Name`` (tag extensions)
        or a structure/pair whose first field is the declaration name (map extensions)."""
        heap, out = self._heap, set()
        for e in self._find_entries(self._entries_addr, ext):
            tag, fields = heap.ctor(e, f"{ext} entry")
            out.add(heap.name(fields[0]) if tag == 0 and fields else heap.name(e))
        return frozenset(out)

    def constant(self, name: str) -> ConstantRecord:
        """The constant ``name`` defined by this module; raises :class:`UnknownConstantError`."""
        i = self._index.get(name)
        if i is None:
            raise UnknownConstantError(name, where=f"not defined in {self.path}")
        return self._record(i)

    def constants(self) -> Iterator[ConstantRecord]:
        """Every constant of the module, in file order."""
        for i in range(len(self._const_addrs)):
            yield self._record(i)

    def _record(self, i: int) -> ConstantRecord:
        heap = self._heap
        addr = self._const_addrs[i]
        tag, (val,) = heap.ctor(addr, "ConstantInfo", 1, range(len(KINDS)))
        kind = KINDS[tag]
        _t, vf = heap.ctor(val, f"{kind} value", _VAL_NOBJ[kind], (0,))
        _t, (nm, lparams, typ) = heap.ctor(vf[0], "ConstantVal", 3, (0,))
        name = heap.name(nm)
        if name != self.constant_names[i]:
            raise OleanError(f"{self.path}: corrupt: constant #{i} is {name!r}, its name entry says "
                             f"{self.constant_names[i]!r}")
        type_refs: set[str] = set()
        heap.expr_consts(typ, set(), type_refs)
        value_refs: frozenset[str] | None = None
        if kind in ("defn", "thm", "opaque"):
            vr: set[str] = set()
            heap.expr_consts(vf[1], set(), vr)
            value_refs = frozenset(vr)
        ctors = heap.names_of_list(vf[4], "InductiveVal.ctors") if kind == "induct" else ()
        original = kind
        if kind == "axiom" and self.level == "exported":
            original = self.original_kinds().get(name, "axiom")
        return ConstantRecord(name, kind, original, heap.names_of_list(lparams, "levelParams"),
                              frozenset(type_refs), value_refs, ctors, self._unsafe(kind, val),
                              heap.expr_data(typ), heap.expr_data(vf[1]) if value_refs is not None else None)

    def _unsafe(self, kind: str, val: int) -> bool:
        """The ``isUnsafe`` flag (``DefinitionSafety.unsafe`` for definitions) of a ``*Val``."""
        if kind in ("thm", "quot"):
            return False
        if kind == "defn":
            return self._heap.scalar_u8(val, 0) == 0  # DefinitionSafety: unsafe | safe | partial
        return bool(self._heap.scalar_u8(val, {"induct": 1, "rec": 1}.get(kind, 0)))

    def declaration_ranges(self) -> frozenset[str]:
        """Names with a declaration range (``declRangeExt``, stored at the server and private levels):
        the declarations written in the source, as opposed to generated ones."""
        return self.tagged_names(_DECL_RANGE_EXT)

    def fingerprint(self) -> dict[str, tuple]:
        """What the module declares, independent of where Lean put the objects: imports, and for every
        constant its kind, universe parameters, the structural hashes (``Expr.Data``) of its type and value,
        and the constants they mention. Two compiles of one source agree on it even when their bytes differ
        (the order of objects in the compacted region follows the elaborator's thread timing)."""
        out: dict[str, tuple] = {"(imports)": tuple((i.module, i.import_all, i.is_exported, i.is_meta)
                                                    for i in self.imports)}
        for r in self.constants():
            out[r.name] = (r.kind, r.original_kind, r.level_params, r.type_data, r.value_data,
                           tuple(sorted(r.type_refs)), None if r.value_refs is None else tuple(sorted(r.value_refs)))
        return out


def read_olean(path: str | os.PathLike, *, level: str = "private",
               expected_version: str | None = EXPECTED_LEAN_VERSION) -> Olean:
    """Read one module's ``.olean`` (and its ``.olean.server``/``.olean.private`` parts when present).

    Parameters
    ----------
    path : path-like
        The ``M.olean`` file.
    level : {"private", "server", "exported"}
        The highest part to read: ``"private"`` (default) reads ``M.olean.private``, the part with
        the proof bodies, when it exists; ``"exported"`` reads what importing modules see.
    expected_version : str or None
        Refuse files written by another Lean version (``None``: accept any).

    Raises
    ------
    OleanError
        Missing, truncated or corrupt file, other format or Lean version, unexpected layout.
    """
    return Olean(Path(path), level=level, expected_version=expected_version)


# --------------------------------------------------------------------------------------------------
# axiom collection


class AxiomCollector:
    """Axioms of constants, collected over the stored terms of the modules found on ``search_path``.

    Parameters
    ----------
    search_path : sequence of path-like
        Directories holding ``A/B/C.olean`` for module ``A.B.C`` (like ``LEAN_PATH``); the first hit wins.
    roots : iterable of str
        Modules to load right away (with their transitive imports); more can be added with :meth:`load`.
    private : bool
        Read ``.olean.private`` parts (the proof bodies) when present. With ``False`` every theorem of
        a module-system file is an opaque stand-in.
    expected_version : str or None
        Lean version the files must have been written by.
    """

    def __init__(self, search_path: Iterable[str | os.PathLike], *, roots: Iterable[str] = (), private: bool = True,
                 expected_version: str | None = EXPECTED_LEAN_VERSION) -> None:
        self.search_path = [Path(p) for p in search_path]
        self._private = private
        self._version = expected_version
        self.modules: dict[str, Olean] = {}
        self._owner: dict[str, str] = {}
        self._also: dict[str, list[str]] = {}
        self._own: dict[str, tuple[bool, bool]] = {}
        self._hidden: dict[str, str] = {}
        self._records: dict[str, ConstantRecord] = {}
        self._result: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
        self._intern: dict[frozenset[str], frozenset[str]] = {}
        self._closure: dict[tuple[str, bool], frozenset[str]] = {}
        self._module_axioms: dict[str, dict[str, bool]] = {}
        self._visible: dict[str, frozenset[str]] = {}
        for r in roots:
            self.load(r)

    def close(self) -> None:
        """Unmap every file read."""
        for m in self.modules.values():
            m.close()

    def __enter__(self) -> "AxiomCollector":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def locate(self, module: str) -> Path:
        """The ``.olean`` of ``module`` on the search path; raises :class:`OleanError` if absent."""
        rel = Path(*module.split(".")[:-1], module.split(".")[-1] + ".olean")
        for d in self.search_path:
            p = d / rel
            if p.is_file():
                return p
        raise OleanError(f"module {module}: no {rel} on the search path {[str(d) for d in self.search_path]}")

    def load(self, module: str) -> Olean:
        """Load ``module`` and (transitively) every module it imports; returns its :class:`Olean`."""
        todo = [module]
        while todo:
            m = todo.pop()
            if m in self.modules:
                continue
            ol = Olean(self.locate(m), level="private" if self._private else "exported",
                       expected_version=self._version)
            self.modules[m] = ol
            for n in ol.constant_names:
                prev = self._owner.setdefault(n, m)
                if prev != m:
                    # Lean accepts the same name from two modules when one declaration subsumes the
                    # other (equation lemmas realized on demand in several modules); the audit
                    # takes the union of what every version reaches.
                    self._also.setdefault(n, []).append(m)
            todo.extend(i.module for i in ol.imports if i.module not in self.modules)
        return self.modules[module]

    def module_of(self, name: str) -> str:
        """The loaded module defining ``name``; raises :class:`UnknownConstantError`."""
        m = self._owner.get(name)
        if m is None:
            raise UnknownConstantError(name, where=f"not defined in the {len(self.modules)} loaded module(s)")
        return m

    def constant(self, name: str) -> ConstantRecord:
        """The stored record of ``name`` (memoised)."""
        r = self._records.get(name)
        if r is None:
            r = self._records[name] = self.modules[self.module_of(name)].constant(name)
        return r

    def versions(self, name: str) -> tuple[ConstantRecord, ...]:
        """Every stored version of ``name``: usually one; more when several modules define it."""
        first = self.constant(name)
        return (first, *(self.modules[m].constant(name) for m in self._also.get(name, ())))

    def _deps(self, r: ConstantRecord) -> frozenset[str]:
        if r.kind == "quot":
            return frozenset()
        if r.kind == "axiom":
            return frozenset() if r.is_axiom else r.type_refs
        deps = set(r.type_refs)
        if r.value_refs is not None:
            deps |= r.value_refs
        deps.update(r.ctors)
        deps.discard(r.name)
        return frozenset(deps)

    def _interned(self, s: set[str] | frozenset[str]) -> frozenset[str]:
        f = frozenset(s)
        return self._intern.setdefault(f, f)

    def _solve(self, root: str) -> None:
        """Tarjan's SCC algorithm (iterative) over the dependency graph, filling ``self._result``."""
        if root in self._result:
            return
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        on_stack: set[str] = set()
        deps_of: dict[str, frozenset[str]] = {}
        counter = 0
        empty = self._interned(())

        def enter(n: str, parent: str | None) -> Iterator[str]:
            nonlocal counter
            try:
                recs = self.versions(n)
            except UnknownConstantError:
                # Reached from a module read at the exported level only, a missing name is a constant
                # that module did not export (private or auxiliary): opaque, nothing is known of it.
                # From a full (private-level) module, or asked for directly, it is an error.
                pm = self._owner.get(parent) if parent is not None else None
                if pm is None or self.modules[pm].level != "exported":
                    raise UnknownConstantError(n, parent, "not defined in the loaded modules") from None
                self._hidden.setdefault(n, pm)
                recs = ()
            index[n] = low[n] = counter
            counter += 1
            stack.append(n)
            on_stack.add(n)
            if not recs:
                d = empty
                self._own[n] = (False, True)
            elif len(recs) == 1:
                d = self._deps(recs[0])
            else:
                d = frozenset().union(*(self._deps(r) for r in recs))
            deps_of[n] = d
            if recs:
                self._own[n] = (any(r.is_axiom for r in recs), any(r.is_stand_in for r in recs))
            return iter(d)

        work: list[tuple[str, Iterator[str]]] = [(root, enter(root, None))]
        while work:
            n, it = work[-1]
            advanced = False
            for s in it:
                if s in self._result:
                    continue
                if s not in index:
                    work.append((s, enter(s, n)))
                    advanced = True
                    break
                if s in on_stack and index[s] < low[n]:
                    low[n] = index[s]
            if advanced:
                continue
            work.pop()
            if work:
                p = work[-1][0]
                if low[n] < low[p]:
                    low[p] = low[n]
            if low[n] != index[n]:
                continue
            members = []
            while True:
                x = stack.pop()
                on_stack.discard(x)
                members.append(x)
                if x == n:
                    break
            mset = set(members)
            ax_parts: dict[int, frozenset[str]] = {}
            op_parts: dict[int, frozenset[str]] = {}
            own_ax, own_op = set(), set()
            for x in members:
                is_ax, is_op = self._own.pop(x)
                if is_ax:
                    own_ax.add(x)
                if is_op:
                    own_op.add(x)
                for s in deps_of[x]:
                    if s in mset:
                        continue
                    a, o = self._result[s]
                    if a:
                        ax_parts[id(a)] = a
                    if o:
                        op_parts[id(o)] = o
            axioms = self._merge(own_ax, ax_parts, empty)
            opaque = self._merge(own_op, op_parts, empty)
            for x in members:
                self._result[x] = (axioms, opaque)

    def _merge(self, own: set[str], parts: dict[int, frozenset[str]], empty: frozenset[str]) -> frozenset[str]:
        if not own and not parts:
            return empty
        if not own and len(parts) == 1:
            return next(iter(parts.values()))
        big = max(parts.values(), key=len) if parts else empty
        if own <= big and all(len(p) <= len(big) and p <= big for p in parts.values()):
            return big
        return self._interned(big.union(own, *parts.values()))

    def _possible(self, opaque: frozenset[str]) -> frozenset[str]:
        """Real axioms an opaque constant could use: those of its module and that module's imports
        (unsafe ones only for an unsafe constant; private axioms are not in exported files)."""
        out: set[str] = set()
        for c in opaque:
            m = self._owner.get(c) or self._hidden[c]
            unsafe = c not in self._owner or any(r.is_unsafe for r in self.versions(c))
            out |= self._axioms_available(m, unsafe)
        return frozenset(out)

    def _axioms_available(self, module: str, unsafe: bool) -> frozenset[str]:
        key = (module, unsafe)
        got = self._closure.get(key)
        if got is None:
            acc: set[str] = set()
            todo, seen = [module], {module}
            while todo:
                m = todo.pop()
                acc.update(n for n, u in self._declared_axioms(m).items() if unsafe or not u)
                for i in self.modules[m].imports:
                    if i.module not in seen:
                        seen.add(i.module)
                        todo.append(i.module)
            got = self._closure[key] = frozenset(acc)
        return got

    def _declared_axioms(self, module: str) -> dict[str, bool]:
        """The real axioms a module declares, with their ``isUnsafe`` flags."""
        got = self._module_axioms.get(module)
        if got is None:
            ol = self.modules[module]
            kinds = ol.original_kinds() if ol.level == "exported" else {}
            heap = ol._heap
            got = {}
            for i, n in enumerate(ol.constant_names):
                tag, (val,) = heap.ctor(ol._const_addrs[i], "ConstantInfo", 1)
                if tag == 0 and kinds.get(n, "axiom") == "axiom":
                    got[n] = bool(heap.scalar_u8(val, 0))
            self._module_axioms[module] = got
        return got

    def report(self, name: str) -> AxiomReport:
        """The axioms of ``name`` with the constants whose bodies could not be seen (never raises for those)."""
        self._solve(name)
        axioms, opaque = self._result[name]
        rec = self._records[name]
        module = self._owner[name]
        return AxiomReport(name, module, rec.kind, rec.original_kind, self._user_visible(module, name),
                           axioms, opaque, axioms | self._possible(opaque) if opaque else axioms)

    def axioms(self, name: str) -> frozenset[str]:
        """Lean's ``#print axioms name``, from the stored terms.

        Raises
        ------
        UnknownConstantError
            ``name``, or a constant it reaches, is not defined in the loaded modules.
        OpaqueBodyError
            Some reached constant's body is not stored (see :meth:`report` for the partial answer).
        """
        r = self.report(name)
        if r.opaque:
            raise OpaqueBodyError(name, r.opaque)
        return r.axioms

    def constants_of(self, module: str) -> tuple[str, ...]:
        """Every constant defined by ``module`` (loading it), including auxiliary ones."""
        return self.load(module).constant_names

    def module_reports(self, module: str) -> dict[str, AxiomReport]:
        """:meth:`report` for every constant defined by ``module``."""
        return {n: self.report(n) for n in self.constants_of(module)}

    def module_axioms(self, module: str) -> dict[str, list[str]]:
        """Sorted axioms of every constant defined by ``module``; raises :class:`OpaqueBodyError`."""
        out = {}
        for n, r in self.module_reports(module).items():
            if r.opaque:
                raise OpaqueBodyError(n, r.opaque)
            out[n] = sorted(r.axioms)
        return out

    def _user_visible(self, module: str, name: str) -> bool:
        vis = self._visible.get(module)
        if vis is None:
            ol = self.modules[module]
            ranges = ol.declaration_ranges()
            aux = ol.tagged_names(_AUX_REC_EXT) | ol.tagged_names(_NO_CONFUSION_EXT) | ol.tagged_names(_MATCHER_EXT)
            vis = self._visible[module] = frozenset(
                n for n in ol.constant_names
                if n not in aux and not is_auxiliary_name(n) and (not ranges or n in ranges))
        return name in vis

    def stats(self) -> dict[str, int]:
        """Counts: modules loaded, constants known, constants decoded, constants solved."""
        return {"modules": len(self.modules), "constants": len(self._owner), "decoded": len(self._records),
                "solved": len(self._result)}


def is_auxiliary_name(name: str) -> bool:
    """Whether ``name`` looks generated by Lean: private prefix aside, a component starting with ``_``,
    a numeric (macro scope) component, or a well-known generated suffix (``rec``, ``match_1``, ``eq_1``...)."""
    comps = _components(name)
    if comps[:1] == ["_private"]:
        # _private.<Module...>.0.<name>: drop through the numeric marker
        k = next((i for i, c in enumerate(comps) if c.isdigit()), len(comps) - 1)
        comps = comps[k + 1:]
    if not comps:
        return True
    last = comps[-1]
    if last in _AUX_SUFFIXES:
        return True
    for c in comps:
        if c.startswith("_") or c.isdigit():
            return True
    for prefix in ("match_", "proof_", "eq_", "_"):
        if last.startswith(prefix) and last[len(prefix):].isdigit():
            return True
    return False


def _components(name: str) -> list[str]:
    out, cur, depth = [], [], 0
    for ch in name:
        if ch == "«":
            depth += 1
        elif ch == "»":
            depth -= 1
        elif ch == "." and depth == 0:
            out.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    out.append("".join(cur))
    return out


__all__ = ["EXPECTED_LEAN_VERSION", "KINDS", "AxiomCollector", "AxiomReport", "ConstantRecord", "Import",
           "Olean", "OleanError", "OleanHeader", "OpaqueBodyError", "UnknownConstantError", "is_auxiliary_name",
           "read_olean"]
