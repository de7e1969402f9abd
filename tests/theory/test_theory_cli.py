"""``spectral-universality derive`` in process: output formats, values from theory, exit 2 on bad input."""

import json

import pytest

from spectral_universality.cli import main
from spectral_universality.theory import derive


@pytest.mark.parametrize("optimizer", ["sgd", "sgd-continuous", "momentum", "adam", "adam-noise"])
def test_json_has_forms_and_values(optimizer, capsys):
    at = ["alpha=0.1", "lam=2", "sigma=0.5"] + (["mu=0.9"] if optimizer == "momentum" else [])
    assert main(["derive", "--optimizer", optimizer, "--format", "json", "--at", *at]) == 0
    obj = json.loads(capsys.readouterr().out)
    d = derive(optimizer)
    assert obj["stability"] == d.stability_text
    assert {"steady_state", "contraction_factor", "stability", "values"} <= obj.keys()
    params = dict(kv.split("=") for kv in at)
    expected = d.evaluate(**{k: float(v) for k, v in params.items()})
    assert obj["values"] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("fmt", ["text", "latex", "lean"])
def test_other_formats(fmt, capsys):
    assert main(["derive", "--optimizer", "sgd", "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert "steady_state" in out
    if fmt == "lean":
        assert "α * σ ^ 2" in out


@pytest.mark.parametrize("argv, needle", [
    (["--optimizer", "sgd", "--at", "alpha=1.5", "lam=2", "sigma=0.5"], "0 < alpha*lam < 2"),
    (["--optimizer", "sgd", "--at", "alpha=-0.1", "lam=2", "sigma=0.5"], "alpha > 0"),
    (["--optimizer", "sgd", "--at", "alpha=0.1", "lam=0", "sigma=0.5"], "lam > 0"),
    (["--optimizer", "sgd", "--at", "alpha=0.1", "lam=2", "sigma=-0.5"], "sigma >= 0"),
    (["--optimizer", "momentum", "--at", "alpha=0.1", "lam=2", "sigma=0.5", "mu=1"], "0 <= mu < 1"),
    (["--optimizer", "momentum", "--at", "alpha=0.1", "lam=2", "sigma=0.5", "mu=-0.1"], "0 <= mu < 1"),
    (["--optimizer", "sgd", "--at", "alpha=0.1", "lam=2", "sigma=0.5", "foo=1"], "unknown parameter"),
    (["--optimizer", "sgd", "--at", "alpha0.1"], "NAME=VALUE"),
    (["--optimizer", "sgd", "--at", "alpha=x"], "not a number"),
    (["--optimizer", "sgd", "--at", "alpha=0.1"], "missing parameter"),
    (["--optimizer", "adam", "--at", "alpha=0.1", "lam=2", "sigma=0"], "sigma > 0"),
])
def test_bad_input_exits_2_naming_the_condition(argv, needle, capsys):
    assert main(["derive", *argv]) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_cli_choices_are_the_derivable_optimizers_and_help_imports_no_sympy():
    import subprocess
    import sys

    from spectral_universality.theory import OPTIMIZERS, derive

    code = ("import sys; from spectral_universality.theory.cli import configure; import argparse; "
            "p = argparse.ArgumentParser(); configure(p); "
            "print(','.join(next(a for a in p._actions if a.dest == 'optimizer').choices)); "
            "print('sympy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert tuple(out[0].split(",")) == OPTIMIZERS and out[1] == "False"
    for name in OPTIMIZERS:
        assert derive(name).optimizer == name
