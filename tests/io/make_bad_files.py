"""Writes small damaged .h5ad / 10x .h5 files into DIR and prints a JSON list describing them:
[{"file": path, "stage": "read" | "preflight", "expect": [substrings the error must contain]}].
Each file breaks exactly one rule of FORMATS.md ("Untrusted input").

usage: make_bad_files.py DIR
"""
import json
import os
import sys

import h5py
import numpy as np

out = sys.argv[1]
cases = []
STR = h5py.string_dtype("utf-8")


def enc(obj, t, v="0.2.0"):
    obj.attrs["encoding-type"] = t
    obj.attrs["encoding-version"] = v


def h5ad(name, n_cells=4, n_genes=3, data=None, indices=None, indptr=None, shape=None, fmt="csr",
         codes=None, categories=("A", "B"), obs_len=None, dense=None, data_dtype=np.float32, huge=False):
    path = os.path.join(out, name)
    if data is None:
        data = np.array([1, 2, 3, 4, 5], dtype=data_dtype)
        indices = np.array([0, 2, 1, 0, 2], dtype=np.int32)
        indptr = np.array([0, 2, 3, 4, 5], dtype=np.int32)
    with h5py.File(path, "w") as f:
        enc(f, "anndata", "0.1.0")
        if dense is not None:
            d = f.create_dataset("X", data=dense)
            enc(d, "array")
        else:
            x = f.create_group("X")
            enc(x, f"{fmt}_matrix", "0.1.0")
            x.attrs["shape"] = np.array(shape if shape is not None else (n_cells, n_genes), dtype=np.int64)
            if huge:
                x.create_dataset("data", shape=(2 ** 42,), dtype=np.float32, chunks=(1024,))
                x.create_dataset("indices", shape=(2 ** 42,), dtype=np.int32, chunks=(1024,))
            else:
                x.create_dataset("data", data=data)
                x.create_dataset("indices", data=indices)
            x.create_dataset("indptr", data=indptr)
        obs = f.create_group("obs")
        enc(obs, "dataframe")
        obs.attrs["_index"] = "_index"
        n_obs = obs_len if obs_len is not None else n_cells
        obs.create_dataset("_index", data=np.array([f"cell{i}" for i in range(n_obs)], dtype=object), dtype=STR)
        ct = obs.create_group("cell_type")
        enc(ct, "categorical")
        ct.attrs["ordered"] = False
        c = np.array(codes if codes is not None else [i % 2 for i in range(n_obs)], dtype=np.int8)
        ct.create_dataset("codes", data=c)
        ct.create_dataset("categories", data=np.array(list(categories), dtype=object), dtype=STR)
        obs.attrs["column-order"] = np.array(["cell_type"], dtype=object)
        var = f.create_group("var")
        enc(var, "dataframe")
        var.attrs["_index"] = "_index"
        var.attrs["column-order"] = np.array([], dtype=np.float64)
        var.create_dataset("_index", data=np.array([f"G{i}" for i in range(n_genes)], dtype=object), dtype=STR)
    return path


def add(path, stage, *expect):
    cases.append({"file": path, "stage": stage, "expect": list(expect)})


# Not HDF5 at all.
p = os.path.join(out, "not_hdf5.h5ad")
open(p, "w").write("cell,gene,count\nc1,CD3E,4\n")
add(p, "read", "not_hdf5.h5ad", "not an HDF5 file")
p = os.path.join(out, "empty_file.h5ad")
open(p, "w").close()
add(p, "read", "empty_file.h5ad", "empty")
p = os.path.join(out, "folder.h5ad")
os.makedirs(p, exist_ok=True)
add(p, "read", "folder.h5ad", "folder")
add(os.path.join(out, "missing.h5ad"), "read", "missing.h5ad", "no such file")
# Truncated: a valid file cut in half.
good = h5ad("good.h5ad")
blob = open(good, "rb").read()
p = os.path.join(out, "truncated.h5ad")
open(p, "wb").write(blob[: len(blob) // 2])
add(p, "read", "truncated.h5ad")
p = os.path.join(out, "truncated_tiny.h5ad")
open(p, "wb").write(blob[:600])
add(p, "read", "truncated_tiny.h5ad")

# Sparse structure.
add(h5ad("index_out_of_range.h5ad", indices=np.array([0, 3, 1, 0, 2], dtype=np.int32),
         data=np.ones(5, np.float32), indptr=np.array([0, 2, 3, 4, 5], np.int32)),
    "read", "index_out_of_range.h5ad", "/X/indices", "out of range")
add(h5ad("negative_index.h5ad", indices=np.array([0, -1, 1, 0, 2], dtype=np.int32),
         data=np.ones(5, np.float32), indptr=np.array([0, 2, 3, 4, 5], np.int32)),
    "read", "negative_index.h5ad", "/X/indices", "out of range")
add(h5ad("indptr_decreasing.h5ad", indices=np.array([0, 2, 1, 0, 2], dtype=np.int32),
         data=np.ones(5, np.float32), indptr=np.array([0, 3, 2, 4, 5], np.int32)),
    "read", "indptr_decreasing.h5ad", "/X/indptr", "decreases")
add(h5ad("indptr_short.h5ad", indices=np.array([0, 2, 1, 0, 2], dtype=np.int32),
         data=np.ones(5, np.float32), indptr=np.array([0, 2, 3, 5], np.int32)),
    "read", "indptr_short.h5ad", "/X/indptr", "entries")
add(h5ad("indptr_end.h5ad", indices=np.array([0, 2, 1, 0, 2], dtype=np.int32),
         data=np.ones(5, np.float32), indptr=np.array([0, 2, 3, 4, 4], np.int32)),
    "read", "indptr_end.h5ad", "/X/indptr", "ends at")
add(h5ad("length_mismatch.h5ad", indices=np.array([0, 2, 1, 0], dtype=np.int32),
         data=np.ones(5, np.float32), indptr=np.array([0, 2, 3, 4, 5], np.int32)),
    "read", "length_mismatch.h5ad", "/X/indices", "entries")
add(h5ad("shape_mismatch.h5ad", shape=(4, 7)), "read", "shape_mismatch.h5ad", "/X", "does not match")
add(h5ad("obs_length.h5ad", obs_len=5), "read", "obs_length.h5ad", "/X")
add(h5ad("csc_out_of_range.h5ad", fmt="csc", n_cells=4, n_genes=3,
         indices=np.array([0, 4, 1], np.int32), data=np.ones(3, np.float32), indptr=np.array([0, 1, 2, 3], np.int32)),
    "read", "csc_out_of_range.h5ad", "/X/indices", "out of range")
add(h5ad("text_data.h5ad", data=np.array(["a", "b", "c", "d", "e"], dtype=object).astype(STR),
         indices=np.array([0, 2, 1, 0, 2], np.int32), indptr=np.array([0, 2, 3, 4, 5], np.int32)),
    "read", "text_data.h5ad", "/X/data", "expected numbers")
add(h5ad("huge_declared.h5ad", huge=True, indptr=np.array([0, 1, 2, 3, 4], np.int64)),
    "read", "huge_declared.h5ad", "/X")

# Values.
add(h5ad("nan_values.h5ad", data=np.array([1, np.nan, 3, 4, 5], np.float32),
         indices=np.array([0, 2, 1, 0, 2], np.int32), indptr=np.array([0, 2, 3, 4, 5], np.int32)),
    "read", "nan_values.h5ad", "/X/data", "NaN", "cell0")
add(h5ad("inf_values.h5ad", data=np.array([1, 2, np.inf, 4, 5], np.float32),
         indices=np.array([0, 2, 1, 0, 2], np.int32), indptr=np.array([0, 2, 3, 4, 5], np.int32)),
    "read", "inf_values.h5ad", "/X/data", "infinite")
add(h5ad("dense_nan.h5ad", dense=np.array([[1, 0, np.nan], [0, 1, 0], [2, 0, 0], [0, 0, 1]], np.float32)),
    "read", "dense_nan.h5ad", "/X", "NaN")
add(h5ad("negative_values.h5ad", data=np.array([1, -2.5, 3, 4, 5], np.float32),
         indices=np.array([0, 2, 1, 0, 2], np.int32), indptr=np.array([0, 2, 3, 4, 5], np.int32)),
    "preflight", "negative")
add(h5ad("all_zero.h5ad", data=np.zeros(0, np.float32), indices=np.zeros(0, np.int32),
         indptr=np.zeros(5, np.int32)), "preflight", "only zeros")
add(h5ad("no_cells.h5ad", n_cells=0, data=np.zeros(0, np.float32), indices=np.zeros(0, np.int32),
         indptr=np.zeros(1, np.int32), codes=[]), "preflight", "no cells")

# Annotations.
add(h5ad("codes_out_of_range.h5ad", codes=[0, 1, 5, 0]), "read", "codes_out_of_range.h5ad", "/obs/cell_type/codes",
    "outside")

# X/data as a link into another file: never followed.
p = h5ad("external_link.h5ad")
with h5py.File(os.path.join(out, "elsewhere.h5"), "w") as g:
    g.create_dataset("data", data=np.ones(5, np.float32))
with h5py.File(p, "r+") as f:
    del f["X/data"]
    f["X/data"] = h5py.ExternalLink("elsewhere.h5", "/data")
add(p, "read", "external_link.h5ad", "/X/data", "link to another file")

# Not AnnData, not 10x.
p = os.path.join(out, "other.h5")
with h5py.File(p, "w") as f:
    f.create_dataset("something", data=np.arange(3))
add(p, "read", "other.h5", "neither")

# 10x files.
def tenx(name, indices=None, shape=(3, 4), barcodes=4, drop_id=False):
    path = os.path.join(out, name)
    with h5py.File(path, "w") as f:
        m = f.create_group("matrix")
        m.create_dataset("shape", data=np.array(shape, np.int32))
        m.create_dataset("barcodes", data=np.array([f"AAAC-{i}".encode() for i in range(barcodes)]))
        m.create_dataset("data", data=np.array([1, 2, 3, 4], np.int32))
        m.create_dataset("indices", data=np.array(indices if indices is not None else [0, 2, 1, 0], np.int64))
        m.create_dataset("indptr", data=np.array([0, 1, 2, 3, 4], np.int64))
        feats = m.create_group("features")
        if not drop_id:
            feats.create_dataset("id", data=np.array([b"ENSG1", b"ENSG2", b"ENSG3"]))
        feats.create_dataset("name", data=np.array([b"A", b"B", b"C"]))
        feats.create_dataset("feature_type", data=np.array([b"Gene Expression"] * 3))
        feats.create_dataset("genome", data=np.array([b"GRCh38"] * 3))
    return path

tenx("tenx_good.h5")
add(tenx("tenx_index_out_of_range.h5", indices=[0, 3, 1, 0]), "read", "tenx_index_out_of_range.h5",
    "/matrix/indices", "out of range")
add(tenx("tenx_barcodes.h5", barcodes=3), "read", "tenx_barcodes.h5", "/matrix/barcodes")
add(tenx("tenx_no_ids.h5", drop_id=True), "read", "tenx_no_ids.h5", "/matrix/features/id", "missing")

print(json.dumps(cases))
