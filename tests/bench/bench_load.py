"""Load benchmark (issue 2): `nym inspect` vs Debian's anndata.read_h5ad on the same files and machine.

For each file it alternates RUNS runs of each tool and reports medians:
  nym:     whole process wall time (read + preflight + start-up), in-process read time, peak RSS, CSR size
  anndata: read_h5ad time inside Python (import excluded, which favours anndata), peak RSS
Files: a simulated 100,000 x 2,000 h5ad (made once with `nym simulate`), gzip-compressed and uncompressed, and the
largest file in ../shared/data.

usage: /usr/bin/python3 tests/bench/bench_load.py [--runs 5] [--nym build/app/nym/nym] [--shared ../shared]
"""
import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import time

ANNDATA = r"""
import resource, sys, time, warnings, json
warnings.filterwarnings("ignore")
t_import = time.perf_counter()
import anndata
t_import = time.perf_counter() - t_import
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t = time.perf_counter()
a = anndata.read_h5ad(sys.argv[1])
dt = time.perf_counter() - t
print(json.dumps({"read_seconds": dt, "import_seconds": t_import, "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "baseline_rss_mib": base, "shape": list(a.shape)}))
"""


def run_nym(nym, path):
    t = time.perf_counter()
    out = subprocess.run([nym, "inspect", path, "--json"], capture_output=True, text=True)
    wall = time.perf_counter() - t
    if out.returncode not in (0, 2):
        sys.exit(f"nym failed on {path}: {out.stderr}")
    j = json.loads(out.stdout)
    return {"wall": wall, "read": j["timing"]["read_seconds"], "rss": j["timing"]["peak_rss_mib"],
            "csr_mib": j["timing"]["csr_bytes"] / 2**20, "shape": (j["n_cells"], j["n_genes"])}


def run_anndata(path):
    t = time.perf_counter()
    out = subprocess.run(["/usr/bin/python3", "-c", ANNDATA, path], capture_output=True, text=True)
    wall = time.perf_counter() - t
    if out.returncode != 0:
        sys.exit(f"anndata failed on {path}: {out.stderr}")
    j = json.loads(out.stdout)
    return {"read": j["read_seconds"], "rss": j["peak_rss_mib"], "base": j["baseline_rss_mib"], "wall": wall}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--nym", default="build/app/nym/nym")
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../shared"))
    ap.add_argument("--workdir", default="build/bench")
    args = ap.parse_args()

    sim_dir = os.path.join(args.workdir, "sim100k")
    sim = os.path.join(sim_dir, "batch1.h5ad")
    if not os.path.exists(sim):
        subprocess.run([args.nym, "simulate", "--cells", "100000", "--genes", "2000", "--types", "8", "--domains", "1",
                        "--seed", "1", "--out", sim_dir], check=True)
    raw_dir = os.path.join(args.workdir, "sim100k_raw")
    raw = os.path.join(raw_dir, "batch1.h5ad")
    if not os.path.exists(raw):
        subprocess.run([args.nym, "simulate", "--cells", "100000", "--genes", "2000", "--types", "8", "--domains", "1",
                        "--seed", "1", "--compression", "0", "--out", raw_dir], check=True)
    files = [("simulated 100,000 x 2,000, gzip (nym's default)", sim),
             ("simulated 100,000 x 2,000, uncompressed (anndata's default)", raw)]
    data = sorted(glob.glob(os.path.join(args.shared, "data", "*", "*.h5ad")), key=os.path.getsize)
    if data:
        files.append((f"largest shared: {os.path.relpath(data[-1], os.path.join(args.shared, 'data'))}", data[-1]))

    rows = []
    for label, path in files:
        nym, ad = [], []
        for _ in range(args.runs):
            nym.append(run_nym(args.nym, path))
            ad.append(run_anndata(path))
        med = lambda xs, k: statistics.median(x[k] for x in xs)
        r = {"file": label, "size_mib": os.path.getsize(path) / 2**20, "shape": nym[0]["shape"],
             "nym_wall": med(nym, "wall"), "nym_read": med(nym, "read"), "nym_rss": med(nym, "rss"),
             "csr_mib": nym[0]["csr_mib"], "ad_read": med(ad, "read"), "ad_rss": med(ad, "rss"), "ad_base": med(ad, "base"),
             "ad_wall": med(ad, "wall")}
        r["speedup_process"] = r["ad_wall"] / r["nym_wall"]
        r["speedup_read"] = r["ad_read"] / r["nym_read"]
        r["mem_ratio"] = r["nym_rss"] / r["csr_mib"]
        rows.append(r)

    print(f"Median of {args.runs} runs each, alternating; {os.cpu_count()} cores.\n")
    print("Process to process: `nym inspect FILE` vs `python3 -c 'import anndata; anndata.read_h5ad(FILE)'`.")
    print("Read only: nym's read phase (structure check in a child process + matrix + names) vs the read_h5ad call.\n")
    print("| file | cells x genes | file MiB | CSR MiB | nym inspect process | anndata process | speed-up (process) "
          "| nym read | read_h5ad call | speed-up (read) | nym peak RSS | RSS / CSR | anndata peak RSS |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['file']} | {r['shape'][0]:,} x {r['shape'][1]:,} | {r['size_mib']:.1f} | {r['csr_mib']:.1f} | "
              f"{r['nym_wall']:.3f} s | {r['ad_wall']:.3f} s | {r['speedup_process']:.1f}x | "
              f"{r['nym_read']:.3f} s | {r['ad_read']:.3f} s | {r['speedup_read']:.1f}x | "
              f"{r['nym_rss']:.0f} MiB | {r['mem_ratio']:.2f} | {r['ad_rss']:.0f} MiB ({r['ad_base']:.0f} before reading) |")


if __name__ == "__main__":
    main()
