"""Unit tests (pure Python, instant) of the checker's source reading: stripper, parser, audit, output parsers."""

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spectral_universality.verify import source as S
from spectral_universality.verify.check import (
    Library,
    checker_source,
    is_failure,
    parse_json_messages,
    parse_lake_output,
    scan_library,
)
from spectral_universality.errors import InputError


# --- comment stripper -----------------------------------------------------------------------------------

def test_strip_keeps_length_and_lines():
    src = 'def a := 1 -- sorry here\n/- block\n axiom x -/ def b := "sorry"\n'
    out = S.strip_comments(src).text
    assert len(out) == len(src)
    assert out.count("\n") == src.count("\n")
    assert "sorry" not in out and "axiom" not in out
    assert "def a := 1" in out and "def b :=" in out


def test_strip_nested_block_comments():
    src = "/- outer /- inner -/ still comment sorry -/ theorem t : True := trivial"
    out = S.strip_comments(src).text
    assert "sorry" not in out
    assert out.strip() == "theorem t : True := trivial"


def test_unterminated_nested_comment_runs_to_end():
    src = "/- outer /- inner -/ sorry\naxiom x : False"
    assert S.strip_comments(src).text.strip() == ""


def test_strings_and_chars_are_blanked_but_not_comment_starts():
    src = 'def s := "a -- not a comment /- nor this" ++ "\\" sorry \\"" \ndef c := \'"\'\naxiom real : False'
    out = S.strip_comments(src).text
    assert "sorry" not in out
    assert "axiom real" in out  # the string did not swallow the next lines
    assert "def c :=" in out


def test_prime_in_identifier_is_not_a_char_literal():
    src = "theorem h' : True := trivial\ntheorem h'' (x' : Nat) : True := trivial -- 'c'\naxiom z : False"
    out = S.strip_comments(src).text
    assert "h'" in out and "x'" in out and "axiom z" in out


def test_doc_comments_are_collected():
    st_ = S.strip_comments("/-- the doc -/\ntheorem t : True := trivial\n/-! module doc -/")
    assert [d[2] for d in st_.docs] == ["the doc"]


@given(st.text(alphabet="ab -/\"'\n{}", max_size=60))
def test_strip_preserves_offsets_property(src):
    out = S.strip_comments(src).text
    assert len(out) == len(src)
    assert [i for i, c in enumerate(out) if c == "\n"] == [i for i, c in enumerate(src) if c == "\n"]


# --- imports and declarations ---------------------------------------------------------------------------

def test_parse_imports_handles_public_and_comments():
    src = "module\nprelude\npublic import A.B\nimport C\n-- import D\n/- import E -/\nmeta import F"
    assert S.parse_imports(S.strip_comments(src).text) == ["A.B", "C", "F"]


DECL_SRC = """\
module
public import Init
namespace Outer
/-- doc of t -/
@[simp] theorem t (n : Nat) : n = n := rfl
section Inner
/-- doc of f -/
noncomputable def f : Nat := 0
end Inner
namespace Deep.Er
protected lemma l : True := trivial
end Deep.Er
private theorem p : True := trivial
instance : Inhabited Nat := ⟨0⟩
instance (priority := low) instNamed : Inhabited Bool := ⟨true⟩
example : True := trivial
structure S where
  x : Nat
class inductive C : Prop
  | mk
theorem _root_.top_level : True := trivial
/-- not attached: a blank command follows -/
open Nat
abbrev A := Nat
end Outer
inductive I | a | b
"""


def test_parse_declarations_names_kinds_lines_docs():
    decls = S.parse_declarations(DECL_SRC, "M", "M.lean")
    got = {(d.name, d.kind, d.private) for d in decls}
    assert got == {
        ("Outer.t", "theorem", False), ("Outer.f", "def", False), ("Outer.Deep.Er.l", "lemma", False),
        ("Outer.p", "theorem", True), (None, "instance", False), ("Outer.instNamed", "instance", False),
        ("Outer.S", "structure", False), ("Outer.C", "class", False), ("top_level", "theorem", False),
        ("Outer.A", "abbrev", False), ("I", "inductive", False),
    }
    by = {d.name: d for d in decls}
    lines = DECL_SRC.splitlines()
    for name, d in by.items():
        if name:
            assert name.split(".")[-1] in lines[d.line - 1], (name, d.line)
    assert by["Outer.t"].docstring == "doc of t"
    assert by["Outer.f"].docstring == "doc of f"
    assert by["Outer.A"].docstring is None


# --- static audit ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("snippet", [
    "axiom bad : False",
    "theorem t : False := sorry",
    "theorem t : 1 = 1 := by admit",
    "theorem t : 2 + 2 = 4 := by native_decide",
    "theorem t : True := Lean.ofReduceBool _ _ rfl ▸ trivial",
    "@[implemented_by foo] def g : Nat := 0",
    '@[extern "c_fn"] opaque h : Nat',
    "unsafe def u : Nat := 0",
    "syntax \"foo\" : term",
    "macro \"foo\" : term => `(1)",
    "macro_rules | `(foo) => `(1)",
    "elab \"foo\" : term => pure default",
    "run_cmd pure ()",
    "initialize pure ()",
    "#eval 1 + 1",
    "#check Nat",
    "#print axioms t",
    "#reduce 1",
    "set_option debug.skipKernelTC true",
    "import Lean",
])
def test_audit_rejects_each_forbidden_construct(snippet):
    src = f"module\n\ntheorem ok : True := trivial\n{snippet}\n"
    found = S.audit_source(src, "F.lean")
    assert found, snippet
    assert found[0].line == 4 and found[0].file == "F.lean"


@pytest.mark.parametrize("snippet", [
    "-- axiom in a comment, sorry, native_decide, #eval",
    "/- nested /- axiom -/ sorry -/",
    'def msg : String := "axiom sorry #eval native_decide"',
    "theorem axioms_free (sorry_count : Nat) : True := trivial",
    "def l : Array Nat := #[1, 2]",
    "import Std.Data.HashMap",
    "public import Pkg.Other",
    "theorem Foo.axiom_like : True := trivial",
])
def test_audit_accepts_lookalikes(snippet):
    assert S.audit_source(f"{snippet}\n", "F.lean", frozenset({"Pkg.Other"})) == []


def test_parse_print_axioms():
    assert S.parse_print_axioms("'A.b' depends on axioms: [propext, Classical.choice, Quot.sound]") == \
        ("A.b", ["propext", "Classical.choice", "Quot.sound"])
    assert S.parse_print_axioms("'A.c' does not depend on any axioms") == ("A.c", [])
    assert S.parse_print_axioms("A.c : Nat") is None


# --- Lean output ----------------------------------------------------------------------------------------

def test_parse_json_messages_keeps_only_messages():
    out = ("[DEBUG:A] lean_main entered\nprelude\n{not json\n"
           '{"severity":"error","data":"boom","pos":{"line":3,"column":4},"fileName":"/x/A.lean","kind":"x"}\n'
           '{"other":1}\n')
    msgs = parse_json_messages(out)
    assert len(msgs) == 1 and msgs[0]["data"] == "boom"
    assert is_failure(msgs[0])
    warn = {"severity": "warning", "data": "declaration uses `sorry`", "kind": "hasSorry"}
    assert is_failure(warn)
    assert not is_failure({"severity": "warning", "data": "unused variable `x`", "kind": "linter"})


def test_parse_lake_output():
    text = ("✔ [2/4] Built P.A (1.5s)\n⚠ [3/4] Built P.B (820ms)\n"
            "warning: ././P/B.lean:7:8: declaration uses 'sorry'\n"
            "✖ [4/4] Building P\nerror: ././P.lean:3:2: Type mismatch\n  rfl\n\nhas type\n  x\n"
            "error: Lean exited with code 1\n")
    msgs, times = parse_lake_output(text, Path("/pkg"))
    assert times == {"P.A": 1.5, "P.B": 0.82}
    assert [(s, e.line, e.col) for s, e in msgs] == [("warning", 7, 8), ("error", 3, 2)]
    assert msgs[1][1].message == "Type mismatch\n  rfl\n\nhas type\n  x"
    assert msgs[1][1].file == "/pkg/P.lean"


def test_checker_source_maps_lines_to_names():
    decls = [S.Declaration("A.t", "theorem", "A", "A.lean", 1, None, False),
             S.Declaration("A.p", "theorem", "A", "A.lean", 2, None, True),
             S.Declaration(None, "instance", "A", "A.lean", 3, None, False)]
    text, owner = checker_source(decls, ["A"], print_axioms=True)
    lines = text.splitlines()
    assert {lines[i - 1] for i in owner} == {"#check @A.t", "#print axioms A.t"}


def test_scan_library_order_and_cycle(tmp_path):
    (tmp_path / "P").mkdir()
    (tmp_path / "P" / "A.lean").write_text("prelude\n")
    (tmp_path / "P" / "B.lean").write_text("prelude\nimport P.A\n")
    (tmp_path / "P.lean").write_text("prelude\nimport P.B\nimport P.A\n")
    lib = scan_library(tmp_path)
    assert isinstance(lib, Library)
    order = lib.order()
    assert order.index("P.A") < order.index("P.B") < order.index("P")
    (tmp_path / "P" / "A.lean").write_text("prelude\nimport P\n")
    with pytest.raises(InputError, match="import cycle"):
        scan_library(tmp_path).order()


def test_scan_library_rejects_missing_dir(tmp_path):
    with pytest.raises(InputError):
        scan_library(tmp_path / "nope")
    with pytest.raises(InputError, match="no .lean files"):
        scan_library(tmp_path)
