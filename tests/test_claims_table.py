"""scripts/claims_table.py: the lecture's claims on every shipped trio, as the Compare page judges them."""
from __future__ import annotations

import importlib.util
import json

from conftest import ROOT

_spec = importlib.util.spec_from_file_location("claims_table", ROOT / "scripts" / "claims_table.py")
claims_table = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(claims_table)


def test_a_claim_holds_on_a_majority_of_its_testable_seeds():
    assert claims_table.mark([True, True, False]) == "✓ 2/3"
    assert claims_table.mark([True, False, False]) == "✗ 1/3"
    assert claims_table.mark([True, None, False]) == "✗ 1/2"  # a tie is not a majority
    assert claims_table.mark([None, None]) == "–"


def test_the_table_of_the_shipped_trios(capsys, tmp_path):
    out = tmp_path / "claims.json"
    assert claims_table.main(["--out", str(out)]) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    table = json.loads(printed[-1])["claims_table"]
    assert list(table) == ["mnist d=2", "mnist d=16", "fashion-mnist d=2", "fashion-mnist d=16"]
    mnist2 = table["mnist d=2"]
    assert mnist2["claims"]["models"] == {"ae": "mnist-ae-2d", "vae": "mnist-vae-2d", "beta-vae": "mnist-betavae4-2d"}
    assert mnist2["claims"]["seeds"] == 3  # the shipped model and the two seeds of pretrained/_seeds
    assert set(mnist2["claims"]["claims"]) == {"recon", "prior_confidence", "coverage", "posterior_prior_distance",
                                               "smoothness", "kl"}
    assert all(len(v) == 3 for v in mnist2["claims"]["claims"].values())
    # the MNIST β sweeps are shipped: six β values, three trends each judged on every seed
    assert mnist2["sweep"]["betas"] == [0.25, 0.5, 1.0, 2.0, 4.0, 8.0]
    assert set(mnist2["sweep"]["trends"]) == {"kl", "recon", "mse"}
    # the KL row is the β-VAE's on every MNIST seed (β = 4 squeezes the KL: the lecture's last claim)
    assert mnist2["claims"]["claims"]["kl"] == [True, True, True]
    # the Fashion-MNIST sweeps: the shipped β = 1 and 4 with the numbers-only members of pretrained/_sweeps
    for d in (2, 16):
        sweep = table[f"fashion-mnist d={d}"]["sweep"]
        assert sweep["betas"] == [0.25, 0.5, 1.0, 2.0, 4.0, 8.0]
        assert sweep["trends"]["kl"]["monotone"] == [True]   # one seed: the KL falls at every step
    # the Markdown table has a header, a rule and one row per trio
    md = [line for line in printed if line.startswith("|")]
    assert len(md) == 2 + 4 and md[2].startswith("| mnist d=2 |")
    assert json.loads(out.read_text())["result"] == table
