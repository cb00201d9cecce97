"""Reference reading of a file with Debian's anndata / h5py, printed as JSON, for tst_io to compare against.

usage: oracle.py h5ad FILE [MATRIX]      (MATRIX: X, raw/X or layers/NAME)
       oracle.py 10x FILE [GENOME]
"""
import json
import sys
import warnings

import numpy as np

warnings.filterwarnings("ignore")


def summarise(X, obs_names, var_names):
    import scipy.sparse as sp
    if sp.issparse(X):
        X = X.tocsr()
        row_sums = np.asarray(X.sum(axis=1)).ravel()
        nonzero = int((X.data != 0).sum())
        total = float(X.data.astype(np.float64).sum())
    else:
        X = np.asarray(X)
        row_sums = X.astype(np.float64).sum(axis=1)
        nonzero = int((X != 0).sum())
        total = float(X.astype(np.float64).sum())
    return {
        "n_cells": int(X.shape[0]),
        "n_genes": int(X.shape[1]),
        "nonzero": nonzero,
        "sum": total,
        "row_sums": [float(v) for v in row_sums[:10]],
        "first_cell": str(obs_names[0]) if len(obs_names) else "",
        "last_cell": str(obs_names[-1]) if len(obs_names) else "",
        "first_gene": str(var_names[0]) if len(var_names) else "",
        "last_gene": str(var_names[-1]) if len(var_names) else "",
    }


def h5ad(path, matrix):
    import anndata
    a = anndata.read_h5ad(path)
    if matrix == "X":
        X, var = a.X, a.var_names
    elif matrix == "raw/X":
        X, var = a.raw.X, a.raw.var_names
    else:
        X, var = a.layers[matrix.split("/", 1)[1]], a.var_names
    if X is None:
        out = {"n_cells": a.n_obs, "n_genes": a.n_vars, "nonzero": 0, "sum": 0.0, "row_sums": [],
               "first_cell": str(a.obs_names[0]), "first_gene": str(a.var_names[0]),
               "last_cell": str(a.obs_names[-1]), "last_gene": str(a.var_names[-1])}
    else:
        out = summarise(X, a.obs_names, var)
    cols = {}
    for c in a.obs.columns:
        s = a.obs[c]
        vals = ["" if (v is None or (isinstance(v, float) and np.isnan(v))) else str(v) for v in s.tolist()]
        cols[c] = {"first": vals[:5], "categorical": str(s.dtype) == "category"}
    out["obs"] = cols
    out["obsm"] = {k: list(np.shape(v)) for k, v in a.obsm.items() if isinstance(v, np.ndarray)}
    return out


def tenx(path, genome):
    import h5py
    import scipy.sparse as sp
    f = h5py.File(path, "r")
    dec = lambda a: [x.decode() if isinstance(x, bytes) else str(x) for x in a]
    if "matrix" in f:
        m = f["matrix"]
        n_feat, n_bc = [int(v) for v in m["shape"][()]]
        X = sp.csc_matrix((m["data"][()], m["indices"][()], m["indptr"][()]), shape=(n_feat, n_bc)).T.tocsr()
        feats = m["features"]
        types = dec(feats["feature_type"][()])
        keep = np.array([t == "Gene Expression" for t in types])
        if "gene_id" in feats and "probe_region" in feats:
            gene_id = dec(feats["gene_id"][()])
            names = dec(feats["gene_name"][()])
            if "filtered_probes" in feats:
                keep &= ~feats["filtered_probes"][()].astype(bool)
            order, seen = [], {}
            for i in np.where(keep)[0]:
                if gene_id[i] not in seen:
                    seen[gene_id[i]] = len(order)
                    order.append(i)
            agg = sp.lil_matrix((n_feat, len(order)))
            for i in np.where(keep)[0]:
                agg[i, seen[gene_id[i]]] = 1
            X = (X @ agg.tocsr()).tocsr()
            var = [names[i] for i in order]
        else:
            X = X[:, np.where(keep)[0]]
            var = [n for n, k in zip(dec(feats["name"][()]), keep) if k]
        bcs = dec(m["barcodes"][()])
    else:
        g = f[genome]
        n_genes, n_bc = [int(v) for v in g["shape"][()]]
        X = sp.csc_matrix((g["data"][()], g["indices"][()], g["indptr"][()]), shape=(n_genes, n_bc)).T.tocsr()
        var = dec(g["gene_names"][()])
        bcs = dec(g["barcodes"][()])
    return summarise(X, bcs, var)


if __name__ == "__main__":
    kind, path = sys.argv[1], sys.argv[2]
    arg = sys.argv[3] if len(sys.argv) > 3 else None
    print(json.dumps(h5ad(path, arg or "X") if kind == "h5ad" else tenx(path, arg)))
