#!/usr/bin/env bash
# Start-up of the installed `households` tool (issue #19): `households optimize` on the shared N=500 problem, wall time of
# the whole process, cold (the first run after a fresh install) and warm (the runs after it), with and without ReadyToRun,
# interleaved with the peer (cvxopt, ../shared/optimizer/di_qp.py, one solve per process) so all see the same machine.
#   bench/cli-startup.sh [REPS]        (needs: apt-get install -y python3-cvxopt python3-numpy)
# Packs linux-x64 only (twice: with and without ReadyToRun, as versions 0.1.0-r2r and 0.1.0-jit) into a scratch folder.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-$(cd .. && pwd)/shared}
REPS=${1:-5}
WARM=3
OUT=${OUT:-$(mktemp -d /tmp/cli-startup.XXXXXX)}
mkdir -p "$OUT"
PROBLEM="$SHARED/optimizer/di_N500_problem.json"
PY=/usr/bin/python3
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

for v in r2r jit; do
  r2r=$([[ $v == r2r ]] && echo true || echo false)
  dotnet pack client -c Release -o "$OUT/pkg-$v" -p:ToolPackageRuntimeIdentifiers=linux-x64 -p:HouseholdsReadyToRun=$r2r \
    -p:Version=0.1.0-$v -v q -nologo > "$OUT/pack-$v.log" 2>&1 || { cat "$OUT/pack-$v.log"; exit 1; }
done

ms() { echo $(( ($2 - $1) / 1000000 )); }
# One timed run: prints "wall_ms solve_ms" (solve_ms as the CLI or the peer reports it).
run_cli() {
  local t0 t1 line
  t0=$(date +%s%N); line=$("$1" optimize "$PROBLEM"); t1=$(date +%s%N)
  echo "$(ms "$t0" "$t1") $(sed -E 's/.*solved in ([0-9.]+) ms.*/\1/' <<< "$line")"
}
run_peer() {
  local t0 t1 line
  t0=$(date +%s%N); line=$(OPENBLAS_NUM_THREADS=1 $PY "$SHARED/optimizer/di_qp.py" solve "$PROBLEM" --form factor --reps 1); t1=$(date +%s%N)
  echo "$(ms "$t0" "$t1") $($PY -c "import ast,sys; print(round(ast.literal_eval(sys.stdin.read())['solve_time_median_s']*1000, 1))" <<< "$line")"
}

: > "$OUT/times.txt"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" > "$OUT/load.txt"
for i in $(seq 1 "$REPS"); do
  echo "peer cold $(run_peer)" >> "$OUT/times.txt"
  for v in r2r jit; do
    dir="$OUT/tool-$v-$i"
    t0=$(date +%s%N)
    dotnet tool install --tool-path "$dir" --add-source "$OUT/pkg-$v" households --version "0.1.0-$v" > "$OUT/install-$v-$i.log" 2>&1
    echo "install $v $(ms "$t0" "$(date +%s%N)")" >> "$OUT/install.txt"
    echo "$v cold $(run_cli "$dir/households")" >> "$OUT/times.txt"
    for _ in $(seq 1 "$WARM"); do echo "$v warm $(run_cli "$dir/households")" >> "$OUT/times.txt"; done
  done
  echo "peer warm $(run_peer)" >> "$OUT/times.txt"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/load.txt"

echo "## Run $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo '```'
echo "command: bench/cli-startup.sh $REPS"
echo "nproc: $(nproc); $(lscpu | grep 'Model name' | sed 's/  */ /g')"
cat "$OUT/load.txt"
echo "dotnet $(dotnet --version); peer: $($PY -c 'import cvxopt, numpy; print("cvxopt", cvxopt.__version__, "numpy", numpy.__version__)')"
for v in r2r jit; do echo "package households.linux-x64.0.1.0-$v.nupkg: $(du -h "$OUT/pkg-$v/households.linux-x64.0.1.0-$v.nupkg" | cut -f1); installed: $(du -sh "$OUT/tool-$v-1" | cut -f1)"; done
echo "raw: $OUT/times.txt"
echo '```'
echo
$PY - "$OUT/times.txt" "$OUT/install.txt" <<'PYEOF'
import sys, statistics
rows = {}
for line in open(sys.argv[1]):
    who, kind, wall, solve = line.split()
    rows.setdefault((who, kind), []).append((float(wall), float(solve)))
installs = {}
for line in open(sys.argv[2]):
    _, v, t = line.split(); installs.setdefault(v, []).append(float(t))
print("| process | runs | median wall ms | min–max wall ms | median solve ms (as printed) |")
print("|---|---|---|---|---|")
names = {"r2r": "households, ReadyToRun", "jit": "households, no ReadyToRun", "peer": "peer (python3 di_qp.py, 1 solve)"}
for who in ("r2r", "jit", "peer"):
    for kind in ("cold", "warm"):
        r = rows.get((who, kind), [])
        if not r: continue
        w = [x[0] for x in r]; s = [x[1] for x in r]
        print(f"| {names[who]}, {kind} | {len(r)} | {statistics.median(w):.0f} | {min(w):.0f}–{max(w):.0f} | {statistics.median(s):.1f} |")
print()
for v, t in installs.items():
    print(f"install ({v}): median {statistics.median(t):.0f} ms over {len(t)}")
PYEOF
