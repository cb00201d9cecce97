#!/usr/bin/env python3
"""Writes the fixture tst_embed compares our UMAP with: 1,200 cells × 16 dimensions in 8 Gaussian clusters of unequal
size (seeded numpy), and umap-learn's layout quality on it (2-D silhouette of the cluster labels, neighbour
preservation at 15), median over 3 seeds. Run once with Debian's umap-learn 0.5.3:
    python3 tests/embed/make_umap_fixture.py tests/embed/fixtures
Files: clusters.f32 (raw little-endian float32, row-major), clusters_labels.i32, umap_learn.json."""
import json
import sys

import numpy as np


def make_clusters(seed=20261201):
    rng = np.random.default_rng(seed)
    sizes = [400, 250, 180, 120, 100, 80, 50, 20]   # one rare cluster (1.7%)
    dims = 16
    centres = rng.normal(scale=6.0, size=(len(sizes), dims))
    x = np.concatenate([c + rng.normal(scale=1.0 + 0.3 * i, size=(n, dims)) for i, (c, n) in enumerate(zip(centres, sizes))])
    labels = np.concatenate([np.full(n, i) for i, n in enumerate(sizes)])
    return x.astype(np.float32), labels.astype(np.int32)


def neighbour_preservation(x, y, k=15):
    from sklearn.neighbors import NearestNeighbors
    a = NearestNeighbors(n_neighbors=k + 1).fit(x).kneighbors(x, return_distance=False)[:, 1:]
    b = NearestNeighbors(n_neighbors=k + 1).fit(y).kneighbors(y, return_distance=False)[:, 1:]
    return float(np.mean([len(set(p) & set(q)) / k for p, q in zip(a, b)]))


def main(out):
    import umap
    from sklearn.metrics import silhouette_score
    x, labels = make_clusters()
    x.tofile(f"{out}/clusters.f32")
    labels.tofile(f"{out}/clusters_labels.i32")
    sil, keep = [], []
    for seed in range(3):
        y = umap.UMAP(n_neighbors=15, min_dist=0.1, random_state=seed).fit_transform(x)
        sil.append(float(silhouette_score(y, labels)))
        keep.append(neighbour_preservation(x, y))
    json.dump({"tool": f"umap-learn {umap.__version__}", "cells": int(x.shape[0]), "dims": int(x.shape[1]),
               "silhouette_2d": float(np.median(sil)), "neighbour_preservation_15": float(np.median(keep)),
               "silhouette_input": float(silhouette_score(x, labels)), "seeds": 3},
              open(f"{out}/umap_learn.json", "w"), indent=1)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/embed/fixtures")
