"""Reads an .h5ad written by `nym train/predict --output` with Debian's anndata and prints what it holds as JSON."""
import json
import sys
import warnings

warnings.filterwarnings("ignore")
import anndata  # noqa: E402

a = anndata.read_h5ad(sys.argv[1])
print(json.dumps({
    "n_obs": a.n_obs,
    "obs": list(a.obs.columns),
    "label_dtype": str(a.obs["nym_label"].dtype),
    "labels": sorted(set(map(str, a.obs["nym_label"]))),
    "confidence_min": float(a.obs["nym_confidence"].min()),
    "confidence_max": float(a.obs["nym_confidence"].max()),
    "obsm": {k: list(v.shape) for k, v in a.obsm.items()},
    "uns_nym": sorted(a.uns["nym"].keys()),
    "x_nnz": int(a.X.nnz),
}))
