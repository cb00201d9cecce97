"""The wide engine benchmark (issue 17): Nym's default preset, its reference-exact preset and a logistic regression,
side by side on every ordered pair of the shared data and on simulated pairs made hard on purpose, seeds 0..N-1.

usage: /usr/bin/python3 tests/bench/bench_wide.py [--nym build/app/nym/nym] [--shared ../shared] [--seeds 3]
       [--out build/bench/wide] [--only SUBSTRING] [--no-reference-exact] [--no-simulated]
Prints a markdown table on stdout (per pair: accuracy mean and min-max per method, target ECE, the share of errors
in the lowest-confidence decile, wall time to labels) and writes every number to OUT/results.json.

Logistic regression: scikit-learn's LogisticRegression(C=1.0, max_iter=2000) (Debian's python3-sklearn) on
log1p(CPM) of the genes both files share, CPM over each file's own genes, unscaled, fitted on the training file.
Nym: `nym train --train A --target B --truth cell_type --seed S --threads 2` (the wall time is the whole command:
reading, training and labelling).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import warnings

warnings.filterwarnings("ignore")
import anndata  # noqa: E402
import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402


# ---------------------------------------------------------------------------------------------------------------
# Simulated pairs made hard on purpose

def simulate_pair(name, seed, n_train, n_target, genes, types, *, markers=30, fold=4.0, gene_scale_sd=0.0,
                  silent_marker_share=0.0, missing_in_target=None, missing_in_training=None, target_mix=None,
                  depth=(2000, 600)):
    """Negative-binomial counts from per-type mean profiles. The target sees gene-wise scale changes (log-normal,
    sd `gene_scale_sd`: a cross-"species"-like shift), a share of each type's markers silent, other class mixes and
    optionally a class missing. Returns (train AnnData, target AnnData)."""
    rng = np.random.default_rng(seed)
    base = rng.gamma(0.6, 1.0, genes) + 0.02
    profiles = np.tile(base, (types, 1))
    marker_sets = []
    for t in range(types):
        m = rng.choice(genes, markers, replace=False)
        marker_sets.append(m)
        profiles[t, m] *= fold
    labels = [f"Type{chr(65 + t)}" for t in range(types)]

    def cells(n, mix, profs, present):
        p = np.array([mix[t] if present[t] else 0.0 for t in range(types)], float)
        p /= p.sum()
        y = rng.choice(types, n, p=p)
        lib = rng.lognormal(np.log(depth[0]), 0.4, n)
        mu = profs[y] / profs[y].sum(1, keepdims=True) * lib[:, None]
        r = 2.0
        x = rng.negative_binomial(r, r / (r + mu)).astype(np.float32)
        return sp.csr_matrix(x), [labels[t] for t in y]

    present_train = [labels[t] != missing_in_training for t in range(types)]
    present_target = [labels[t] != missing_in_target for t in range(types)]
    even = [1.0] * types
    x_a, y_a = cells(n_train, even, profiles, present_train)
    target_profiles = profiles * rng.lognormal(0.0, gene_scale_sd, genes)[None, :] if gene_scale_sd > 0 else profiles.copy()
    if silent_marker_share > 0:
        for t in range(types):
            silent = marker_sets[t][: int(round(silent_marker_share * markers))]
            target_profiles[t, silent] = base[silent]
    x_b, y_b = cells(n_target, target_mix or even, target_profiles, present_target)
    var = [f"g{g:05d}" for g in range(genes)]

    def ad(x, y, dom):
        a = anndata.AnnData(x)
        a.var_names = var
        a.obs_names = [f"{dom}_{i}" for i in range(x.shape[0])]
        a.obs["cell_type"] = y
        a.obs["cell_type"] = a.obs["cell_type"].astype("category")
        a.obs["domain"] = dom
        return a

    return ad(x_a, y_a, f"{name}_train"), ad(x_b, y_b, f"{name}_target")


SIMULATED = [
    # name, kwargs: difficulty chosen so the logistic regression lands between 0.75 and 0.92 (seed 17)
    ("sim_tiny_train_many_genes", dict(n_train=150, n_target=1500, genes=15000, types=5, fold=6.0, markers=60,
                                       depth=(4000, 600))),
    ("sim_species_like", dict(n_train=1000, n_target=1000, genes=10000, types=6, fold=5.0, gene_scale_sd=0.8,
                              silent_marker_share=0.3, depth=(4000, 600))),
    ("sim_class_missing_in_target", dict(n_train=600, n_target=800, genes=3000, types=6, fold=4.0, gene_scale_sd=0.4,
                                         missing_in_target="TypeC", depth=(3000, 600))),
    ("sim_class_missing_in_training", dict(n_train=600, n_target=800, genes=3000, types=6, fold=4.0,
                                           gene_scale_sd=0.4, missing_in_training="TypeC", depth=(3000, 600))),
    ("sim_other_mix", dict(n_train=300, n_target=1200, genes=2000, types=5, fold=4.0, gene_scale_sd=0.5,
                           target_mix=[0.6, 0.2, 0.1, 0.07, 0.03], depth=(3000, 600))),
]


# ---------------------------------------------------------------------------------------------------------------
# Methods

def log1p_cpm(a):
    x = a.X.tocsr().astype(np.float64) if sp.issparse(a.X) else sp.csr_matrix(a.X, dtype=np.float64)
    lib = np.asarray(x.sum(1)).ravel()
    lib[lib == 0] = 1
    x = sp.diags(1e6 / lib) @ x
    x.data = np.log1p(x.data)
    return x.tocsr()


def logistic_regression(train, target):
    shared = [g for g in train.var_names if g in set(target.var_names)]
    xa = log1p_cpm(train)[:, [train.var_names.get_loc(g) for g in shared]]
    xb = log1p_cpm(target)[:, [target.var_names.get_loc(g) for g in shared]]
    t = time.perf_counter()
    clf = LogisticRegression(C=1.0, max_iter=2000)
    clf.fit(xa, np.asarray(train.obs["cell_type"]).astype(str))
    pred = clf.predict(xb)
    conf = clf.predict_proba(xb).max(1)
    return pred, conf, time.perf_counter() - t


def nym_train(nym, train_path, target_path, out, preset, seed, extra=()):
    report, table = out + ".json", out + ".csv"
    for f in (report, table):
        if os.path.exists(f):
            os.remove(f)
    cmd = [nym, "train", "--train", train_path, "--target", target_path, "--truth", "cell_type", "--preset", preset,
           "--seed", str(seed), "--threads", "2", "--report", report, "--table", table, *extra]
    t = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if r.returncode != 0:
        sys.exit(f"nym train failed: {' '.join(cmd)}\n{r.stderr}")
    import csv
    with open(table) as f:
        rows = list(csv.DictReader(f))
    pred = np.array([row["nym_label"] for row in rows])
    conf = np.array([float(row["nym_confidence"]) for row in rows])
    return pred, conf, wall, json.load(open(report))


# ---------------------------------------------------------------------------------------------------------------
# Scores

def scores(truth, pred, conf, known):
    """Accuracy over cells whose true class the model could know; ECE (15 bins); share of the errors that sit in
    the lowest-confidence decile."""
    keep = np.array([t in known for t in truth])
    truth, pred, conf = truth[keep], pred[keep], conf[keep]
    correct = truth == pred
    acc = float(correct.mean()) if len(correct) else float("nan")
    bins = np.minimum((conf * 15).astype(int), 14)
    ece = 0.0
    for b in range(15):
        m = bins == b
        if m.any():
            ece += m.mean() * abs(correct[m].mean() - conf[m].mean())
    errors = ~correct
    if errors.sum() == 0:
        decile = float("nan")
    else:
        cut = np.quantile(conf, 0.1)
        decile = float((errors & (conf <= cut)).sum() / errors.sum())
    return acc, float(ece), decile


def fmt(values):
    m = statistics.mean(values)
    return f"{m:.3f} ({min(values):.3f}–{max(values):.3f})"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nym", default="build/app/nym/nym")
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../shared"))
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--out", default="build/bench/wide")
    ap.add_argument("--only", default="")
    ap.add_argument("--no-reference-exact", action="store_true")
    ap.add_argument("--no-simulated", action="store_true")
    ap.add_argument("--nym-args", default="", help="more options for nym train (an experiment), space-separated")
    ap.add_argument("--no-lr", action="store_true", help="leave the logistic regression out (when only Nym changed)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    pairs = []
    data = os.path.join(args.shared, "data")
    for ds in sorted(os.listdir(data)):
        folder = os.path.join(data, ds)
        if not os.path.isdir(folder):
            continue
        files = sorted(f for f in os.listdir(folder) if f.endswith(".h5ad"))
        for a in files:
            for b in files:
                if a != b:
                    pairs.append((f"{ds}: {a[:-5]} → {b[:-5]}", os.path.join(folder, a), os.path.join(folder, b)))
    if not args.no_simulated:
        for name, kw in SIMULATED:
            ta, tb = os.path.join(args.out, name + "_train.h5ad"), os.path.join(args.out, name + "_target.h5ad")
            if not (os.path.exists(ta) and os.path.exists(tb)):
                a, b = simulate_pair(name, 17, **kw)
                a.write_h5ad(ta)
                b.write_h5ad(tb)
            pairs.append((name, ta, tb))
    if args.only:
        pairs = [p for p in pairs if args.only in p[0]]

    methods = ["nym default"] + ([] if args.no_reference_exact else ["nym reference-exact"]) + ([] if args.no_lr else ["logistic regression"])
    results = {}
    for label, ta, tb in pairs:
        train, target = anndata.read_h5ad(ta), anndata.read_h5ad(tb)
        truth = np.asarray(target.obs["cell_type"]).astype(str)
        known = set(np.asarray(train.obs["cell_type"]).astype(str))
        r = {"cells": [train.n_obs, target.n_obs], "genes": int(len(set(train.var_names) & set(target.var_names)))}
        for method in methods:
            runs = []
            for seed in range(args.seeds if method != "logistic regression" else 1):
                extra = {}
                if method == "logistic regression":
                    pred, conf, wall = logistic_regression(train, target)
                else:
                    preset = "scnym-default" if method == "nym default" else "reference-exact"
                    stem = os.path.join(args.out, f"{label}".replace(" ", "_").replace(":", "").replace("→", "to")
                                        + f".{preset}.{seed}")
                    pred, conf, wall, rep = nym_train(args.nym, ta, tb, stem, preset, seed, args.nym_args.split())
                    extra = {"train_seconds": rep.get("train_seconds"), "linear_share": rep.get("linear_share", 0.0),
                             "linear_member": rep.get("linear_member", {})}
                acc, ece, decile = scores(truth, pred, conf, known)
                runs.append({"accuracy": acc, "ece": ece, "low_decile_error_share": decile, "wall": wall, **extra})
                print(f"{label} | {method} | seed {seed}: acc {acc:.4f} ECE {ece:.3f} decile {decile:.2f} "
                      f"{wall:.1f} s" + (f" (train {extra['train_seconds']:.1f} s, linear share "
                                         f"{extra['linear_share']:.2f})" if extra else ""),
                      file=sys.stderr, flush=True)
            r[method] = runs
        results[label] = r
        json.dump(results, open(os.path.join(args.out, "results.json"), "w"), indent=1)

    nan = float("nan")

    def mean_of(runs, key):
        v = [x[key] for x in runs if x.get(key) is not None and x[key] == x[key]]
        return statistics.mean(v) if v else nan

    lr = "logistic regression"
    print(f"| pair (train → target cells, shared genes) | " + " | ".join(f"{m} accuracy" for m in methods)
          + " | nym ECE (LR) | errors in lowest decile, nym (LR) | linear share | nym train s (whole run) |")
    print("|---|" + "---|" * (len(methods) + 4))
    means = {m: [] for m in methods}
    for label, r in results.items():
        cols = []
        for m in methods:
            accs = [x["accuracy"] for x in r[m]]
            means[m].append(statistics.mean(accs))
            cols.append(fmt(accs) if len(accs) > 1 else f"{accs[0]:.3f}")
        nym = r["nym default"]
        shares = sorted({f"{x.get('linear_share', 0):.1f}" for x in nym})
        print(f"| {label} ({r['cells'][0]} → {r['cells'][1]}, {r['genes']}) | " + " | ".join(cols)
              + f" | {mean_of(nym, 'ece'):.3f}" + (f" ({r[lr][0]['ece']:.3f})" if lr in r else "")
              + f" | {mean_of(nym, 'low_decile_error_share'):.2f}"
              + (f" ({r[lr][0]['low_decile_error_share']:.2f})" if lr in r else "")
              + f" | {'/'.join(shares)}"
              + f" | {statistics.median(x.get('train_seconds') or nan for x in nym):.1f}"
              + f" ({statistics.median(x['wall'] for x in nym):.1f}) |")
    print("| **mean** | " + " | ".join(f"**{statistics.mean(v):.3f}**" for v in means.values()) + " | | | | |")


if __name__ == "__main__":
    main()
