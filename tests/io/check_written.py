"""Reads a file written by Nym Studio with Debian's anndata and checks every element we added, and that the
untouched ones still equal the input's.

usage: check_written.py OUTPUT INPUT|- EXPECT.json
EXPECT: {"categorical": {col: [labels...]}, "float": {col: [values...]}, "obsm": {name: [[...], ...]},
         "uns_group": "nym", "uns": {key: value}}
Prints "ok" and exits 0, or prints what differs and exits 1.
"""
import json
import sys
import warnings

import numpy as np

warnings.filterwarnings("ignore")
import anndata
import h5py


def fail(msg):
    print(msg)
    sys.exit(1)


out_path, in_path, expect_path = sys.argv[1:4]
expect = json.load(open(expect_path))
a = anndata.read_h5ad(out_path)

with h5py.File(out_path, "r") as f:
    if f.attrs.get("encoding-type") != "anndata" or f.attrs.get("encoding-version") != "0.1.0":
        fail("root encoding attributes missing")

for col, labels in expect.get("categorical", {}).items():
    s = a.obs[col]
    if str(s.dtype) != "category":
        fail(f"obs[{col}] is {s.dtype}, not categorical")
    got = ["" if isinstance(v, float) else str(v) for v in s.tolist()]
    if got != labels:
        fail(f"obs[{col}] differs: {got[:5]} vs {labels[:5]}")
for col, values in expect.get("float", {}).items():
    got = a.obs[col].to_numpy(dtype=np.float64)
    if not np.allclose(got, np.array(values, dtype=np.float64), equal_nan=True):
        fail(f"obs[{col}] values differ")
for name, rows in expect.get("obsm", {}).items():
    got = np.asarray(a.obsm[name])
    if got.shape != np.shape(rows) or not np.allclose(got, np.array(rows)):
        fail(f"obsm[{name}] differs: shape {got.shape}")
group = expect.get("uns_group", "nym")
for k, v in expect.get("uns", {}).items():
    got = a.uns[group][k] if group else a.uns[k]
    if str(got) != v:
        fail(f"uns[{group}][{k}] = {got!r}, expected {v!r}")

if in_path != "-":
    b = anndata.read_h5ad(in_path)
    if a.shape != b.shape or list(a.obs_names) != list(b.obs_names) or list(a.var_names) != list(b.var_names):
        fail("shape or names changed")
    import scipy.sparse as sp
    def dense(x):
        return x.toarray() if sp.issparse(x) else np.asarray(x)
    if b.X is not None and not np.array_equal(dense(a.X), dense(b.X)):
        fail("X changed")
    for k in b.layers.keys():
        if not np.array_equal(dense(a.layers[k]), dense(b.layers[k])):
            fail(f"layer {k} changed")
    if (b.raw is None) != (a.raw is None):
        fail("raw lost")
    for c in b.obs.columns:
        if c in expect.get("categorical", {}) or c in expect.get("float", {}):
            continue
        if not b.obs[c].astype(str).equals(a.obs[c].astype(str)):
            fail(f"untouched obs[{c}] changed")
    for k in b.obsm.keys():
        if k not in expect.get("obsm", {}) and not np.array_equal(dense(a.obsm[k]), dense(b.obsm[k])):
            fail(f"untouched obsm[{k}] changed")
    for k in b.uns.keys():
        if k not in a.uns:
            fail(f"uns[{k}] lost")
print("ok")
