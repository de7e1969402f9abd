"""Pure-Python reading of Lean sources: comment stripping, imports, declarations, and the static audit.

Nothing here runs Lean. The stripper keeps every character offset and newline, so line numbers found in
the stripped text are the line numbers of the original file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

#: axioms a proof may depend on (Lean's standard three)
ALLOWED_AXIOMS = frozenset({"propext", "Classical.choice", "Quot.sound"})

#: external module roots the library may import (core Lean only)
ALLOWED_EXTERNAL_IMPORT_ROOTS = frozenset({"Init", "Std"})

#: declaration keywords recorded in the inventory
DECL_KINDS = ("theorem", "lemma", "def", "abbrev", "structure", "class", "instance", "inductive", "opaque", "axiom")

_MODIFIERS = ("private", "protected", "noncomputable", "partial", "unsafe", "nonrec", "public", "scoped",
              "local", "meta")

# Lean identifier pieces: a «quoted» atom or letter/_ followed by word chars, primes, !, ?, subscripts.
_ATOM = r"(?:«[^»]*»|[^\W\d][\w'!?\u2080-\u209c]*)"
_IDENT = rf"{_ATOM}(?:\.{_ATOM})*"
_ATTRS = r"(?:@\[[^\]]*\]\s*)*"
_MODS = rf"(?:(?:{'|'.join(_MODIFIERS)})\s+)*"


@dataclass(frozen=True)
class Finding:
    """One violation of the static audit, located in the original file (1-based line, 0-based column)."""

    file: str
    line: int
    col: int
    message: str


@dataclass(frozen=True)
class Declaration:
    """A declaration found by parsing (not by Lean).

    ``name`` is the full name (namespaces applied), or ``None`` for an anonymous instance.
    """

    name: str | None
    kind: str
    module: str
    file: str
    line: int
    docstring: str | None
    private: bool


@dataclass
class Stripped:
    """Source with comments and string/char literals blanked (same length, same newlines)."""

    text: str
    #: (start, end, body) of each ``/-- ... -/`` doc comment in the original text
    docs: list[tuple[int, int, str]] = field(default_factory=list)


def _blank(chunk: str) -> str:
    """Spaces in place of every character of ``chunk`` except newlines (keeps offsets and lines)."""
    return "".join("\n" if c == "\n" else " " for c in chunk)


def _is_ident_char(c: str) -> bool:
    return c.isalnum() or c in "_'!?"


def strip_comments(src: str) -> Stripped:
    """Blank out comments (nested ``/- -/``, ``--``) and string/char literals of Lean source ``src``.

    Returns the blanked text (identical length and line structure) and the doc comments found.
    An unterminated block comment or string runs to the end of the file, as in Lean.
    """
    out: list[str] = []
    docs: list[tuple[int, int, str]] = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if src.startswith("--", i):
            j = src.find("\n", i)
            j = n if j < 0 else j
            out.append(_blank(src[i:j]))
            i = j
        elif src.startswith("/-", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if src.startswith("/-", j):
                    depth, j = depth + 1, j + 2
                elif src.startswith("-/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            if src.startswith("/--", i) and not src.startswith("/--/", i):
                docs.append((i, j, src[i + 3:j - 2].strip()))
            out.append(_blank(src[i:j]))
            i = j
        elif c == '"' or (c == "r" and re.match(r'r#*"', src[i:i + 40]) and (i == 0 or not _is_ident_char(src[i - 1]))):
            j = _string_end(src, i)
            out.append(_blank(src[i:j]))
            i = j
        elif c == "'" and (i == 0 or not _is_ident_char(src[i - 1])):
            m = re.compile(r"'(?:\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)|[^'\\\n])'").match(src, i)
            if m:
                out.append(_blank(m.group(0)))
                i = m.end()
            else:
                out.append(c)
                i += 1
        elif c == "«":
            j = src.find("»", i)
            j = n if j < 0 else j + 1
            out.append(src[i:j])  # a quoted identifier: keep it, but never read comments inside it
            i = j
        else:
            out.append(c)
            i += 1
    return Stripped("".join(out), docs)


def _string_end(src: str, i: int) -> int:
    """End offset (exclusive) of the string literal starting at ``i`` (plain or raw ``r#"…"#``)."""
    if src[i] == "r":
        hashes = len(re.match(r"r(#*)", src[i:]).group(1))
        close = '"' + "#" * hashes
        j = src.find(close, i + 2 + hashes)
        return len(src) if j < 0 else j + len(close)
    j = i + 1
    while j < len(src):
        if src[j] == "\\":
            j += 2
        elif src[j] == '"':
            return j + 1
        else:
            j += 1
    return len(src)


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and 0-based column (Lean's convention) of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1)


def module_name(rel_path: Path) -> str:
    """Lean module name of a source path relative to the package root (``A/B.lean`` -> ``A.B``)."""
    return ".".join(rel_path.with_suffix("").parts)


_IMPORT_RE = re.compile(rf"^[ \t]*(?:public[ \t]+)?(?:meta[ \t]+)?import[ \t]+(?:all[ \t]+)?({_IDENT})", re.M)


def parse_imports(stripped_text: str) -> list[str]:
    """Imported module names, in order, from comment-stripped source."""
    return [m.group(1) for m in _IMPORT_RE.finditer(stripped_text)]


_SCOPE_RE = re.compile(
    rf"^[ \t]*{_ATTRS}(?:(?:public|noncomputable|private)\s+)*(namespace|section|mutual|end)\b[ \t]*({_IDENT})?",
    re.M,
)
_DECL_RE = re.compile(rf"^[ \t]*{_ATTRS}({_MODS})(class[ \t]+inductive|{'|'.join(DECL_KINDS)}|example)\b", re.M)
_DOC_GAP_RE = re.compile(rf"\s*{_ATTRS}{_MODS}\s*")


def parse_declarations(src: str, module: str, file: str) -> list[Declaration]:
    """Declarations of one Lean file, with full names from namespace/section tracking.

    ``example``s are skipped; private declarations are kept and marked. The line is the keyword's line.
    """
    st = strip_comments(src)
    text = st.text
    events: list[tuple[int, str, re.Match[str]]] = [(m.start(), "scope", m) for m in _SCOPE_RE.finditer(text)]
    events += [(m.start(), "decl", m) for m in _DECL_RE.finditer(text)]
    events.sort(key=lambda e: e[0])
    stack: list[tuple[str, list[str]]] = []  # (kind, namespace components pushed)
    decls: list[Declaration] = []
    for _, what, m in events:
        if what == "scope":
            kw, name = m.group(1), m.group(2)
            if kw == "namespace" and name:
                stack.append(("namespace", name.split(".")))
            elif kw in ("section", "mutual"):
                stack.append((kw, []))
            elif kw == "end" and stack:
                stack.pop()
            continue
        mods, kw = m.group(1).split(), re.sub(r"\s+", " ", m.group(2))
        if kw == "example":
            continue
        kw_start = m.start(2)
        raw = _decl_name(text, m.end(2), kw)
        ns = [c for kind, comps in stack if kind == "namespace" for c in comps]
        if raw is None:
            full = None
        elif raw.startswith("_root_."):
            full = raw[len("_root_."):]
        else:
            full = ".".join(ns + [raw])
        decls.append(Declaration(
            name=full,
            kind="class" if kw == "class inductive" else kw,
            module=module,
            file=file,
            line=line_col(text, kw_start)[0],
            docstring=_docstring_before(st, m.start()),
            private="private" in mods,
        ))
    return decls


def _decl_name(text: str, pos: int, kw: str) -> str | None:
    """The name written after a declaration keyword, or ``None`` (anonymous instance)."""
    rest = text[pos:pos + 400]
    if kw == "instance":
        rest = re.sub(r"^\s*\(\s*priority\s*:=[^)]*\)", "", rest)
    m = re.match(rf"\s+({_IDENT})", rest)
    if not m:
        return None
    name = m.group(1)
    if kw == "instance" and name in ("where",):
        return None
    return name.replace("«", "").replace("»", "")


def _docstring_before(st: Stripped, decl_start: int) -> str | None:
    """Body of the doc comment that directly precedes the declaration starting at ``decl_start``."""
    for start, end, body in reversed(st.docs):
        if end <= decl_start:
            return body if _DOC_GAP_RE.fullmatch(st.text[end:decl_start]) else None
    return None


# --- static audit -------------------------------------------------------------------------------------

_B = r"(?<![\w'.])"  # not part of a longer identifier
_E = r"(?![\w'!?])"
#: (pattern on stripped text, reason)
FORBIDDEN: tuple[tuple[str, str], ...] = (
    (rf"{_B}axiom{_E}", "`axiom` adds an unproved assumption"),
    (rf"(?<![\w'])(?:sorry|sorryAx){_E}", "`sorry` leaves a proof unfinished"),
    (rf"{_B}admit{_E}", "`admit` leaves a proof unfinished"),
    (rf"(?<![\w'])native_decide{_E}", "`native_decide` trusts the compiler (axiom Lean.ofReduceBool)"),
    (rf"(?<![\w'])(?:Lean\.)?(?:ofReduceBool|ofReduceNat|reduceBool|reduceNat|trustCompiler){_E}",
     "compiler-trusting axiom"),
    (rf"(?<![\w'])implemented_by{_E}", "`implemented_by` replaces code unchecked"),
    (rf"(?<![\w'])extern{_E}", "`extern` binds unchecked foreign code"),
    (rf"{_B}unsafe{_E}", "`unsafe` code is not checked by the kernel"),
    (rf"^[ \t]*{_ATTRS}(?:(?:local|scoped|public|private)\s+)*(?:syntax|macro|macro_rules|elab|elab_rules|"
     rf"declare_syntax_cat|initialize|builtin_initialize|run_cmd|run_elab|run_meta){_E}",
     "custom syntax/elaborator or code run at elaboration time"),
    (rf"{_B}meta\s+(?:def|theorem|instance|abbrev|opaque|section){_E}", "`meta` code runs at elaboration time"),
    (r"@\[[^\]]*\b(?:command_elab|term_elab|tactic|macro|builtin_\w+|init|csimp)\b[^\]]*\]",
     "attribute registering elaborator/initializer code"),
    (r"(?<![\w'])debug\.skipKernelTC", "`debug.skipKernelTC` disables kernel checking"),
    (r"(?<![\w'])#print\s+axioms\b", "`#print axioms` does not belong in the library (the checker runs it)"),
    (r"(?<![\w'#])#(?!print\s+axioms\b)[A-Za-z_]\w*(?![\w\[])", "stray `#` command in the library"),
)
_FORBIDDEN_RE = tuple((re.compile(p, re.M), why) for p, why in FORBIDDEN)


def audit_source(src: str, file: str, package_modules: frozenset[str] = frozenset()) -> list[Finding]:
    """Static audit of one file: every construct that could add an axiom or run code is a finding.

    Parameters
    ----------
    src : str
        Original source.
    file : str
        Path used in the findings.
    package_modules : frozenset of str
        Modules of the library itself (imports of these are allowed, as are ``Init``/``Std``).
    """
    text = strip_comments(src).text
    found: list[Finding] = []
    for rx, why in _FORBIDDEN_RE:
        for m in rx.finditer(text):
            off = m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
            line, col = line_col(text, off)
            found.append(Finding(file, line, col, f"forbidden: {m.group(0).strip()!r}: {why}"))
    for m in _IMPORT_RE.finditer(text):
        mod = m.group(1)
        if mod not in package_modules and mod.split(".")[0] not in ALLOWED_EXTERNAL_IMPORT_ROOTS:
            line, col = line_col(text, m.start(1))
            found.append(Finding(file, line, col, f"forbidden import {mod!r}: only Init, Std and the library's own "
                                                  "modules (core Lean) are allowed"))
    return sorted(found, key=lambda f: (f.line, f.col))


_PRINT_AXIOMS_RE = re.compile(r"^'(?P<name>.+?)' (?:depends on axioms: \[(?P<axioms>[^\]]*)\]|does not depend on any axioms)",
                              re.S)


def parse_print_axioms(message: str) -> tuple[str, list[str]] | None:
    """Parse Lean's ``#print axioms`` output into (declaration, axioms), or ``None`` if not such a message."""
    m = _PRINT_AXIOMS_RE.match(message.strip())
    if not m:
        return None
    axioms = [a.strip() for a in (m.group("axioms") or "").replace("\n", " ").split(",") if a.strip()]
    return m.group("name"), axioms
