"""Writes an .h5ad whose HDF5 global heap (where variable-length strings live) declares an object far larger
than the heap: Debian's libhdf5 1.10 then copies past its buffer and crashes (found by our fuzzing). Nym Studio
must answer with an error message instead.

usage: make_heap_crasher.py OUT.h5ad
"""
import struct
import sys

import h5py
import numpy as np

out = sys.argv[1]
STR = h5py.string_dtype("utf-8")
with h5py.File(out, "w") as f:
    f.attrs["encoding-type"] = "anndata"
    f.attrs["encoding-version"] = "0.1.0"
    for name, ids in (("obs", [f"cell{i}" for i in range(40)]), ("var", [f"G{i}" for i in range(5)])):
        df = f.create_group(name)
        df.attrs["encoding-type"] = "dataframe"
        df.attrs["encoding-version"] = "0.2.0"
        df.attrs["_index"] = "_index"
        df.attrs["column-order"] = np.array([], dtype=np.float64)
        df.create_dataset("_index", data=np.array(ids, dtype=object), dtype=STR)

blob = bytearray(open(out, "rb").read())
# Global heap collection: "GCOL", version, 3 reserved bytes, 8-byte collection size, then objects:
# 2-byte index, 2-byte reference count, 4 reserved bytes, 8-byte object size, data.
pos = blob.find(b"GCOL")
assert pos >= 0, "no global heap in the file"
first_object = pos + 16
struct.pack_into("<Q", blob, first_object + 8, 0x0CFEE11001001509)
open(out, "wb").write(bytes(blob))
