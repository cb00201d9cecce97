"""Reads an annotated .h5ad the app or `nym review-apply` wrote, with Debian's anndata, and prints what the review
added as JSON (the export round trip of issue 16)."""
import json
import sys
import warnings

warnings.filterwarnings("ignore")
import anndata  # noqa: E402

a = anndata.read_h5ad(sys.argv[1])
final = a.obs["nym_final_label"]
print(json.dumps({
    "n_obs": a.n_obs,
    "final_dtype": str(final.dtype),
    "final_categories": list(map(str, final.cat.categories)),
    "final": list(map(str, final)),
    "label_categories": list(map(str, a.obs["nym_label"].cat.categories)),
    "source": list(map(str, a.obs["nym_label_source"])),
    "reviewed_dtype": str(a.obs["nym_reviewed"].dtype),
    "reviewed": [bool(v) for v in a.obs["nym_reviewed"]],
    "final_colors": list(map(str, a.uns["nym_final_label_colors"])),
    "label_colors": list(map(str, a.uns["nym_label_colors"])),
    "uns_nym": {k: str(v) for k, v in a.uns["nym"].items()},
    "obsm": {k: list(v.shape) for k, v in a.obsm.items()},
    "x_nnz": int(a.X.nnz),
}))
