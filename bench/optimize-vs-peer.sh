#!/usr/bin/env bash
# Side-by-side: the peer (cvxopt, ../shared/optimizer/di_qp.py) and our solvers on the shared di-rebalance-qp/1
# problems, in one run on one machine, then the model-account and household scenarios. Prints a markdown report.
#   bench/optimize-vs-peer.sh [REPS]        (needs: apt-get install -y python3-cvxopt python3-numpy)
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
SHARED=${SHARED:-$(cd "$REPO/.." && pwd)/shared}
REPS=${1:-11}
OUT=${OUT:-$(mktemp -d /tmp/optimize-vs-peer.XXXXXX)}
PY=/usr/bin/python3

dotnet build bench/Households.Benchmarks -c Release -v q -nologo > "$OUT/build.log" 2>&1 || { cat "$OUT/build.log"; exit 1; }
dotnet build client -c Release -v q -nologo > "$OUT/build-client.log" 2>&1 || { cat "$OUT/build-client.log"; exit 1; }
BENCH=bench/Households.Benchmarks/bin/Release/net10.0/Households.Benchmarks
CLI=client/bin/Release/net10.0/households

echo "## Run $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo '```'
echo "command: bench/optimize-vs-peer.sh $REPS"
echo "nproc: $(nproc)"
lscpu | head -n 15
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "dotnet $(dotnet --version); peer: $($PY -c 'import cvxopt, numpy; print("cvxopt", cvxopt.__version__, "numpy", numpy.__version__)')"
echo '```'
echo
: > "$OUT/ours.jsonl"
for N in 100 500 2000; do
  P="$SHARED/optimizer/di_N${N}_problem.json"
  # Interleaved per size: the peer, then ours, so both see the same machine state.
  OPENBLAS_NUM_THREADS=1 $PY "$SHARED/optimizer/di_qp.py" solve "$P" --form factor --reps "$REPS" --out "$OUT/peer_N$N.json" > /dev/null
  "$BENCH" compare --shared "$SHARED" --out "$OUT" --reps "$REPS" "$N" >> "$OUT/ours.jsonl"
  "$CLI" optimize "$P" --json > "$OUT/cli_N$N.json"
  for S in ipm pdlp-1e-8; do
    $PY "$SHARED/optimizer/di_qp.py" check "$P" "$OUT/${S}_N$N.json" > "$OUT/check_${S}_N$N.json"
  done
done
# The README's plain covariance statement (B = I, F = Σ, D = 0) of the N=100 and N=500 problems, against the
# peer's dense form (3 repetitions: the dense N=500 solve takes seconds).
: > "$OUT/plain.jsonl"
for N in 100 500; do
  $PY - "$SHARED/optimizer/di_N${N}_problem.json" "$OUT/plain_N$N.json" <<'PYEOF'
import json, sys, numpy as np
d = json.load(open(sys.argv[1])); n = d["n"]
B, F, D = np.array(d["B"]), np.array(d["F"]), np.array(d["D"])
S = B @ F @ B.T + np.diag(D); S = 0.5 * (S + S.T)
d.update(k=n, B=np.eye(n).tolist(), F=S.tolist(), D=[0.0] * n, factor_names=[f"a{i}" for i in range(n)])
json.dump(d, open(sys.argv[2], "w"))
PYEOF
  OPENBLAS_NUM_THREADS=1 $PY "$SHARED/optimizer/di_qp.py" solve "$OUT/plain_N$N.json" --form dense --reps 3 --out "$OUT/peer_plain_N$N.json" > /dev/null
  "$BENCH" compare-file "$OUT/plain_N$N.json" "plain_N$N" --out "$OUT" --reps 3 >> "$OUT/plain.jsonl"
done
"$BENCH" model-account --shared "$SHARED" --reps 2001 > "$OUT/model.json"
"$BENCH" household --shared "$SHARED" --reps 21 > "$OUT/household.json"

$PY - "$OUT" <<'PYEOF'
import json, sys, os
out = sys.argv[1]
ours = [json.loads(l) for l in open(os.path.join(out, "ours.jsonl"))]
print("| N | solver | objective | rel. diff vs peer | median solve ms | peer median ms | ours / peer | max violation | peer `check` objective |")
print("|---|---|---|---|---|---|---|---|---|")
for n in (100, 500, 2000):
    peer = json.load(open(os.path.join(out, f"peer_N{n}.json")))
    po, pt = peer["objective"], peer["solve_time_median_s"] * 1e3
    print(f"| {n} | cvxopt (peer) | {po:.12e} | — | {pt:.2f} | {pt:.2f} | 1.00 | {peer['max_constraint_violation']:.1e} | |")
    for r in (r for r in ours if r["n"] == n):
        chk = os.path.join(out, f"check_{r['solver']}_N{n}.json")
        c = json.load(open(chk))["objective"] if os.path.exists(chk) else None
        cs = f"{c:.12e}" if c is not None else ""
        print(f"| {n} | {r['solver']} | {r['objective']:.12e} | {(r['objective'] - po) / po:+.2e} | {r['median_ms']:.2f} | {pt:.2f} | {r['median_ms'] / pt:.2f} | {r['max_violation']:.1e} | {cs} |")
    cli = json.load(open(os.path.join(out, f"cli_N{n}.json")))
    print(f"| {n} | `households optimize --json` (one run) | {cli['objective']:.12e} | {(cli['objective'] - po) / po:+.2e} | {cli['solve_ms']:.2f} | {pt:.2f} | {cli['solve_ms'] / pt:.2f} | | |")
print()
print("Plain covariance statement (B = I, F = Σ, D = 0), peer `--form dense`, 3 repetitions each:")
print()
print("| N | peer objective | peer median ms | ipm objective | rel. diff | ipm median ms | ours / peer |")
print("|---|---|---|---|---|---|---|")
for line in open(os.path.join(out, "plain.jsonl")):
    r = json.loads(line); n = r["n"]
    peer = json.load(open(os.path.join(out, f"peer_plain_N{n}.json")))
    po, pt = peer["objective"], peer["solve_time_median_s"] * 1e3
    print(f"| {n} | {po:.12e} | {pt:.1f} | {r['objective']:.12e} | {(r['objective'] - po) / po:+.2e} | {r['median_ms']:.1f} | {r['median_ms'] / pt:.2f} |")
print()
for f in ("model.json", "household.json"):
    r = json.load(open(os.path.join(out, f)))
    print(f"- **{r['scenario']}**: {r['accounts']} account(s), {r['securities']} securities, {r['lots']} lots; median {r['median_ms']:.3f} ms "
          f"(p90 {r['p90_ms']:.3f} ms, solver alone {r['median_solve_ms']:.3f} ms, {r['solves']} solve(s) incl. repair passes) over {r['reps']} rebalances; "
          f"TE {r['te_before']:.4%} → {r['te_after']:.4%}; {r['trades']} trades; realized ST {r['short_term_gain']}, LT {r['long_term_gain']}")
PYEOF
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg); raw files in $OUT"
