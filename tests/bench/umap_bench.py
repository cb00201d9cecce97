"""UMAP benchmark: `nym umap` side by side with umap-learn 0.5.3 and R's uwot, same machine, same thread count.

usage: /usr/bin/python3 tests/bench/umap_bench.py --nym build/app/nym/nym --sizes 10000,100000,1000000 \
           [--repeats 3] [--threads 2] [--peers umap-learn,uwot] [--peer-timeout 3600] \
           [--input target.h5ad --input train.h5ad --obsm X_nym --labels-column cell_type] \
           [--workdir /tmp/nym_umap_bench] [--out results.json]

Datasets: each --input group (files written by `nym train --output`, cells concatenated in order) is one dataset;
each --sizes entry is a simulated 256-d "network embedding" (seeded Gaussian mixture on a curved 10-d manifold, see
simulate()), cached as .h5ad in --workdir. Every tool runs --repeats times (seeds 0..r-1) with n_neighbors=15,
min_dist=0.1, 2-D output, and the table shows medians:
  time     nym: wall time of the whole `nym umap` process (reading the .h5ad and writing the result included).
           umap-learn: fit_transform time inside its process (import time reported separately in the JSON).
           uwot: time of uwot::umap() inside R (R start-up and reading the matrix excluded).
           All three include the kNN search. Peers are timed *in favour* of the peers.
  NP@15    neighbour preservation: for up to 5,000 sampled cells, mean fraction of their 15 exact nearest
           neighbours in the input that are also among their 15 exact nearest neighbours in the 2-D layout.
  sil      silhouette of the known labels in the 2-D layout (sklearn, 10,000-cell sample, random_state 0).
nym's own defaults apply otherwise (it searches neighbours in 50 principal components above 50,000 cells; the
peers use all 256 dimensions); NP@15 is always measured against the full input.
Ratios are peer time / nym time (above 1: nym is faster). A peer that exceeds --peer-timeout is reported as not
finishing and is not run on larger datasets.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import h5py
import numpy as np

K = 15
MIN_DIST = 0.1

# umap-learn 0.5.3 runs its SGD in parallel only with random_state=None: a fixed seed silently forces the
# single-threaded optimiser. Numba compiles most of umap-learn and pynndescent afresh in every process (only a few
# functions are cache=True); that ~3 s lands in fit_transform, as it does for users of a fresh session.
UMAP_LEARN = r"""
import json, sys, time, warnings
warnings.filterwarnings("ignore")
t = time.perf_counter()
import numpy as np, umap
t_import = time.perf_counter() - t
n, d = int(sys.argv[2]), int(sys.argv[3])
X = np.fromfile(sys.argv[1], dtype="<f4").reshape(n, d)
t = time.perf_counter()
Y = umap.UMAP(n_neighbors=15, min_dist=0.1, n_components=2, random_state=None).fit_transform(X)
fit = time.perf_counter() - t
np.save(sys.argv[4], Y.astype(np.float64))
print(json.dumps({"seconds": fit, "import_seconds": t_import, "version": umap.__version__}))
"""

# uwot defaults checked against the installed version: init="spectral"; n_epochs NULL -> 500 up to 10,000 cells,
# 200 above (as umap-learn); nn_method exact (FNN) below 4,096 cells, Annoy above; min_dist defaults to 0.01, not
# 0.1, so it is passed; n_sgd_threads defaults to 0 (single-threaded SGD, for reproducibility), so it is passed.
UWOT = r"""
a <- commandArgs(trailingOnly = TRUE)
n <- as.integer(a[2]); d <- as.integer(a[3]); set.seed(as.integer(a[5]))
con <- file(a[1], "rb"); v <- readBin(con, "double", n = n * d, size = 4, endian = "little"); close(con)
X <- matrix(v, nrow = n, ncol = d, byrow = TRUE); rm(v); invisible(gc())
t0 <- Sys.time()
Y <- uwot::umap(X, n_neighbors = 15, min_dist = 0.1, n_components = 2, n_threads = as.integer(a[6]),
                n_sgd_threads = as.integer(a[6]))
dt <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
con <- file(a[4], "wb"); writeBin(as.vector(t(Y)), con, size = 8, endian = "little"); close(con)
cat(sprintf('{"seconds": %.6f, "version": "%s"}\n', dt, as.character(packageVersion("uwot"))))
"""


def simulate(n, seed=0, dims=256, latent=10, clusters=16):
    """A labelled embedding shaped like a network's ReLU hidden layer: cluster centres on a random 10-d latent space
    pushed through a random tanh layer (a curved manifold) and a ReLU read-out into 256-d, with uneven cluster sizes
    (two rare 0.5 % types), uneven spreads, two elongated clusters and one trajectory bridging two clusters."""
    rng = np.random.default_rng(seed)
    p = rng.lognormal(0.0, 0.8, clusters)
    p[:2] = 0
    p = p / p.sum() * (1 - 0.01)
    p[:2] = 0.005
    labels = rng.choice(clusters, size=n, p=p)
    centres = rng.normal(0.0, 1.5, (clusters, latent))
    spread = rng.uniform(0.15, 0.45, clusters)
    z = centres[labels] + rng.normal(size=(n, latent)) * spread[labels, None]
    for c in (2, 3):  # elongated clusters: a random axis stretched 4-6x
        m = labels == c
        axis = rng.normal(size=latent)
        z[m] += np.outer(rng.uniform(-1, 1, m.sum()) * spread[c] * rng.uniform(4, 6), axis / np.linalg.norm(axis))
    m = labels == 4  # a trajectory: cells spread evenly from cluster 4's centre to cluster 5's
    t = rng.uniform(0, 1, m.sum())[:, None]
    z[m] = centres[4] + t * (centres[5] - centres[4]) + rng.normal(size=(m.sum(), latent)) * 0.1
    w1, b1 = rng.normal(0, 1 / np.sqrt(latent), (latent, 64)), rng.normal(0, 0.3, 64)
    w2, b2 = rng.normal(0, 1 / np.sqrt(64), (64, dims)), rng.normal(-0.2, 0.2, dims)
    X = np.empty((n, dims), np.float32)
    for s in range(0, n, 100_000):  # chunked so 1M cells stay within a few GB
        h = np.tanh(z[s:s + 100_000] @ w1 + b1) @ w2 + b2
        X[s:s + 100_000] = np.maximum(h + rng.normal(0, 0.08, h.shape), 0)
    return X, labels.astype(str)


def write_h5ad(path, X, labels):
    import anndata
    import pandas as pd
    import scipy.sparse as sp
    obs = pd.DataFrame({"label": pd.Categorical(labels)}, index=[f"c{i}" for i in range(len(labels))])
    a = anndata.AnnData(X=sp.csr_matrix((len(labels), 1), dtype=np.float32), obs=obs,
                        var=pd.DataFrame(index=["g0"]), obsm={"X_emb": X})
    a.write_h5ad(path)


def read_inputs(paths, obsm, column):
    import anndata
    Xs, labels = [], []
    for p in paths:
        a = anndata.read_h5ad(p)
        Xs.append(np.asarray(a.obsm[obsm], dtype=np.float32))
        labels.append(a.obs[column].astype(str).to_numpy() if column in a.obs else np.full(a.n_obs, "?"))
    return np.ascontiguousarray(np.vstack(Xs)), np.concatenate(labels)


def exact_knn(X, idx, k=K, chunk=10_000):
    """Exact k nearest neighbours (self excluded) of the rows idx of X, brute force in float32 chunks."""
    q = X[idx]
    qn = (q * q).sum(1)
    best_d = np.full((len(idx), k), np.inf, np.float32)
    best_i = np.zeros((len(idx), k), np.int64)
    for s in range(0, len(X), chunk):
        c = X[s:s + chunk]
        d = qn[:, None] - 2 * q @ c.T + (c * c).sum(1)[None, :]
        own = (idx >= s) & (idx < s + len(c))
        d[np.nonzero(own)[0], idx[own] - s] = np.inf
        d = np.concatenate([best_d, d], 1)
        top = np.argpartition(d, k - 1, 1)[:, :k]
        # Columns below k are the running best; the rest are rows s.. of this chunk.
        best_i = np.where(top < k, np.take_along_axis(best_i, np.minimum(top, k - 1), 1), top - k + s)
        best_d = np.take_along_axis(d, top, 1)
    return best_i


def quality(Y, truth_knn, sample, labels):
    from scipy.spatial import cKDTree
    from sklearn.metrics import silhouette_score
    _, nb = cKDTree(Y).query(Y[sample], K + 1)
    # Drop self (or, if duplicates push self out of the top K+1, the farthest) to keep K neighbours per cell.
    layout = [[j for j in row if j != s][:K] for row, s in zip(nb, sample)]
    np_k = float(np.mean([len(set(a) & set(b)) / K for a, b in zip(layout, truth_knn.tolist())]))
    sil = float(silhouette_score(Y, labels, sample_size=min(len(Y), 10_000), random_state=0)) \
        if len(set(labels)) > 1 else float("nan")
    return np_k, sil


def read_x_umap(path):
    with h5py.File(path, "r") as f:
        return np.asarray(f["obsm/X_umap"][:], dtype=np.float64)


def tail(text, lines=15):
    return "\n".join((text or "").strip().splitlines()[-lines:])


def run_tool(tool, ds, seed, args, env):
    """One run; returns {"seconds", "wall", "Y", ...} or {"error": ...}."""
    out = os.path.join(args.workdir, f"{ds['name']}.{tool}.{seed}")
    # `nym umap` lays all its inputs out in one map and writes an annotated copy of each (same order).
    nym_outs = [f"{out}.{i}.h5ad" for i in range(len(ds["h5ad"]))]
    if tool == "nym":
        cmd = [args.nym, "umap"] + [x for p in ds["h5ad"] for x in ("--input", p)] + [
            "--obsm", ds["obsm"], "--neighbors", str(K), "--min-dist", str(MIN_DIST), "--seed", str(seed),
            "--threads", str(args.threads)] + [x for p in nym_outs for x in ("--output", p)]
        timeout = None
    elif tool == "umap-learn":
        cmd = [args.python, "-c", UMAP_LEARN, ds["raw"], str(ds["n"]), str(ds["d"]), out + ".npy"]
        timeout = args.peer_timeout
    else:
        cmd = ["Rscript", "-e", UWOT, ds["raw"], str(ds["n"]), str(ds["d"]), out + ".f64", str(seed),
               str(args.threads)]
        timeout = args.peer_timeout
    for stale in nym_outs + [out + ".npy", out + ".f64"]:  # an old result must not pass for this run's
        if os.path.exists(stale):
            os.remove(stale)
    t = time.perf_counter()
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    except FileNotFoundError:
        print(f"{tool}: {cmd[0]} not found", file=sys.stderr)
        return {"error": "failed (not found)"}
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish in {timeout:.0f} s", "timeout": True}
    wall = time.perf_counter() - t
    if r.returncode != 0:
        print(f"{tool} failed on {ds['name']} (exit {r.returncode}): {' '.join(cmd[:2])} ...\n{tail(r.stderr)}",
              file=sys.stderr)
        return {"error": f"failed (exit {r.returncode})"}
    try:
        if tool == "nym":
            Y = np.vstack([read_x_umap(p) for p in nym_outs])
            res = {"seconds": wall}
        else:
            res = json.loads(r.stdout.strip().splitlines()[-1])
            Y = np.load(out + ".npy") if tool == "umap-learn" else np.fromfile(out + ".f64", "<f8").reshape(-1, 2)
    except (OSError, KeyError, ValueError, IndexError) as e:
        print(f"{tool}: could not read its result on {ds['name']}: {e}\n{tail(r.stderr)}", file=sys.stderr)
        return {"error": "failed (no result)"}
    if Y.shape != (ds["n"], 2):
        return {"error": f"failed (layout shape {Y.shape})"}
    res.update(wall=wall, Y=Y)
    return res


def datasets(args):
    """Yields dataset dicts with the embedding, labels, an .h5ad for nym and a raw float32 file for the peers."""
    if args.input:  # all --input files form one dataset, cells concatenated in order
        name = "+".join(os.path.splitext(os.path.basename(p))[0] for p in args.input)
        ds = dict(name=name, h5ad=args.input, obsm=args.obsm)
        ds["X"], ds["labels"] = read_inputs(args.input, args.obsm, args.labels_column)
        yield ds  # no local reference: the caller frees X once the kNN truth is known (1 GB at 1M cells)
    for n in args.sizes:
        h5 = os.path.join(args.workdir, f"sim{n}.h5ad")
        X, labels = simulate(n)
        if not os.path.exists(h5):
            write_h5ad(h5, X, labels)
        ds = dict(name=f"sim{n}", X=X, labels=labels, h5ad=[h5], obsm="X_emb")
        del X
        yield ds


def fmt(runs, key, spec):
    """Median over the successful runs; the first error in the time column when none succeeded, '-' elsewhere."""
    ok = [r[key] for r in runs if "error" not in r]
    if ok:
        return format(statistics.median(ok), spec)
    return next(r["error"] for r in runs) if key == "seconds" else "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nym", default="build/app/nym/nym")
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--input", action="append", default=[], help="a real dataset file (repeatable, concatenated)")
    ap.add_argument("--obsm", default="X_nym")
    ap.add_argument("--labels-column", default="cell_type")
    ap.add_argument("--peers", default="umap-learn,uwot")
    ap.add_argument("--peer-timeout", type=float, default=3600)
    ap.add_argument("--python", default="/usr/bin/python3", help="interpreter with Debian's umap-learn")
    ap.add_argument("--workdir", default="/tmp/nym_umap_bench")
    ap.add_argument("--out", default=None, help="JSON file for all per-run results")
    args = ap.parse_args()
    args.sizes = [int(s) for s in args.sizes.split(",") if s]
    peers = [p for p in args.peers.split(",") if p]
    tools = ["nym"] + peers
    os.makedirs(args.workdir, exist_ok=True)
    t = str(args.threads)
    env = dict(os.environ, NUMBA_NUM_THREADS=t, OMP_NUM_THREADS=t, OPENBLAS_NUM_THREADS=t, MKL_NUM_THREADS=t,
               RCPP_PARALLEL_NUM_THREADS=t)
    timed_out = set()
    results = []
    for ds in datasets(args):
        X = ds.pop("X")
        ds["n"], ds["d"] = X.shape
        ds["raw"] = os.path.join(args.workdir, ds["name"] + ".f32")
        X.astype("<f4", copy=False).tofile(ds["raw"])  # rewritten every time: real inputs may have been retrained
        sample = np.sort(np.random.default_rng(0).choice(ds["n"], min(ds["n"], 5000), replace=False))
        truth = exact_knn(X, sample)
        del X
        entry = {k: ds[k] for k in ("name", "n", "d")}
        for tool in tools:
            runs = []
            for seed in range(args.repeats):
                if tool in timed_out:
                    runs.append({"error": "skipped (timed out on a smaller set)"})
                    break
                r = run_tool(tool, ds, seed, args, env)
                if "Y" in r:
                    r["np15"], r["silhouette"] = quality(r.pop("Y"), truth, sample, ds["labels"])
                runs.append(r)
                print(f"  {ds['name']} {tool} seed {seed}: " + json.dumps(r), file=sys.stderr, flush=True)
                if "error" in r:  # a failure or timeout will not improve with another seed
                    if r.get("timeout"):
                        timed_out.add(tool)
                    break
            entry[tool] = runs
        results.append(entry)
        if args.out:
            with open(args.out, "w") as f:
                json.dump({"threads": args.threads, "repeats": args.repeats, "results": results}, f, indent=1)

    head = ["dataset", "cells", "dims"]
    for tool in tools:
        head += [f"{tool} s", f"{tool} NP@{K}", f"{tool} sil"]
    head += [f"{p}/nym time" for p in peers]
    print(f"\n## UMAP, {args.threads} threads, median of {args.repeats} runs\n")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for e in results:
        cells = [e["name"], f"{e['n']:,}", str(e["d"])]
        for tool in tools:
            cells += [fmt(e[tool], "seconds", ".2f"), fmt(e[tool], "np15", ".3f"), fmt(e[tool], "silhouette", ".3f")]
        for p in peers:
            a, b = [[r["seconds"] for r in e[x] if "error" not in r] for x in (p, "nym")]
            cells.append(f"{statistics.median(a) / statistics.median(b):.2f}" if a and b else "-")
        print("| " + " | ".join(cells) + " |")
    print("\nnym: whole-process wall time; umap-learn: fit_transform only (import excluded); uwot: umap() inside R "
          "(start-up and reading excluded). All include the kNN search.")


if __name__ == "__main__":
    main()
