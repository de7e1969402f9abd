"""The main job as a user runs it: `spectral-universality report --quick`, and its bad input."""

import json

import pytest

from spectral_universality.cli import main


def test_report_rejects_unavailable_device(tmp_path, capsys):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a CUDA device is present, so --device cuda is valid here")
    assert main(["report", "--quick", "--lean", "skip", "--device", "cuda", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "cuda" in err and "\n" not in err and "Traceback" not in err


@pytest.mark.slow
def test_quick_report_writes_page_json_figures_and_verdicts(tmp_path):
    out = tmp_path / "report"
    assert main(["report", "--quick", "--lean", "skip", "--out", str(out)]) == 0
    report = json.loads((out / "report.json").read_text())
    page = (out / "index.html").read_text()
    from spectral_universality.report.sections import COMPANIONS

    companions = {f"{s.key}.png" for s in COMPANIONS}
    assert {f["file"] for f in report["figures"]} == {"energies.png", "s_hat.png", "transitions.png",
                                                       "perturbation.png"} | companions
    # every companion seed contributes verdicts of its own
    for seed in ("seed 001", "seed 002", "seed 003", "seed 004"):
        assert any(c["where"].startswith(seed) for c in report["claims"]), seed
    for fig in report["figures"]:
        assert (out / fig["file"]).stat().st_size > 10_000 and fig["file"] in page
    verdicts = {c["verdict"] for c in report["claims"]}
    assert verdicts <= {"proven", "supported", "refuted", "open"}
    # Lean skipped: no claim may be marked proven, and every proof-backed claim says why it is open.
    assert all(c["verdict"] != "proven" for c in report["claims"])
    lean_claims = [c for c in report["claims"] if c["evidence"] == "Lean library not checked in this run"]
    assert lean_claims and all(c["verdict"] == "open" for c in lean_claims)
    # The blueprint is written beside the page and linked from it; every Lean-backed claim has its entry.
    blueprint = (out / "blueprint.html").read_text()
    assert "href='blueprint.html'" in page and "href='index.html'" in blueprint and "<svg" in blueprint
    for c in report["claims"]:
        if c.get("theorems"):
            assert f"id='claim-{c['id']}'" in blueprint and f"blueprint.html#claim-{c['id']}" in page, c["id"]
            assert all(f"id='thm-{t['name']}'" in blueprint for t in c["theorems"]), c["id"]
    # Mathematics as MathML with its LaTeX; numbers without float noise; stage times as a table.
    assert "<math" in page and "application/x-tex" in page
    assert "'closed_forms':" not in page and "0.46153846153846156" not in page
    # The perturbation stage checks the proved bound on every mode it plots.
    assert report["results"]["perturbation"]["summary"]["all_modes_within_bounds"] is True
