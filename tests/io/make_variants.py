"""Writes one real .h5ad again in other on-disk layouts with Debian's anndata, so tst_io can check that every
layout reads to the same matrix: CSC, dense, LZF- and gzip-compressed, int64 indices, float64 data, and a
CELLxGENE-style var (Ensembl index + feature_name).

usage: make_variants.py SRC.h5ad DIR    (prints the JSON list of written files)
"""
import json
import os
import sys
import warnings

import numpy as np
import scipy.sparse as sp

warnings.filterwarnings("ignore")
import anndata

src, out = sys.argv[1], sys.argv[2]
a = anndata.read_h5ad(src)
a = a[:120, :400].copy()
a.X = sp.csr_matrix(a.X)
written = {}
# scanpy's colours for a categorical column (kept by the reader), and a stale palette of the wrong length (ignored).
n_types = len(a.obs["seurat_annotations"].astype("category").cat.categories)
a.obs["seurat_annotations"] = a.obs["seurat_annotations"].astype("category")
a.uns["seurat_annotations_colors"] = np.array([f"#{i:02x}{i:02x}{i:02x}" for i in range(n_types)], dtype=object)
a.obs["stale"] = ["x" if i % 2 else "y" for i in range(a.n_obs)]
a.obs["stale"] = a.obs["stale"].astype("category")
a.uns["stale_colors"] = np.array(["#ff0000", "#00ff00", "#0000ff"], dtype=object)

def save(name, adata, **kw):
    p = os.path.join(out, name)
    adata.write_h5ad(p, **kw)
    written[name] = p

save("csr.h5ad", a)
b = a.copy(); b.X = sp.csc_matrix(a.X); save("csc.h5ad", b)
b = a.copy(); b.X = a.X.toarray(); save("dense.h5ad", b)
save("lzf.h5ad", a, compression="lzf")
save("gzip.h5ad", a, compression="gzip")
b = a.copy(); X = sp.csr_matrix(a.X, dtype=np.float64); X.indices = X.indices.astype(np.int64); X.indptr = X.indptr.astype(np.int64); b.X = X
save("int64.h5ad", b)
b = a.copy()
b.var["feature_name"] = b.var_names.astype(str)
b.var_names = [f"ENSG{i:011d}" for i in range(b.n_vars)]
b.layers["counts"] = b.X.copy()
b.X = None
b.raw = None
save("cellxgene.h5ad", b)
# Layouts anndata does not write itself, rewritten with h5py: chunked without compression (nym's fast path
# without a filter) and gzip with the shuffle filter (nym falls back to libhdf5's own reader).
import shutil
import h5py
for name, opts in (("chunked.h5ad", dict(chunks=(1000,))),
                   ("shuffle.h5ad", dict(chunks=(1000,), compression="gzip", shuffle=True))):
    p = os.path.join(out, name)
    shutil.copy(written["csr.h5ad"], p)
    with h5py.File(p, "r+") as f:
        for key in ("data", "indices"):
            values = f["X"][key][()]
            attrs = dict(f["X"][key].attrs)
            del f["X"][key]
            d = f["X"].create_dataset(key, data=values, **opts)
            for k, v in attrs.items():
                d.attrs[k] = v
    written[name] = p
print(json.dumps(written))
