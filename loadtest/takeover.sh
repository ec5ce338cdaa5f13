#!/usr/bin/env bash
# Issue #18 goal 7's takeover at scale: SILOS silo processes (default 3) on a firm bulk-loaded into PostgreSQL, each watching
# the accounts it owns from the books; once their shares have settled (the parked figures add up to the firm), the first
# silo is killed with SIGKILL and the survivors' share lines say how long until they watch its accounts again.
#   PG="Host=127.0.0.1;Port=55499;Username=postgres" ACCOUNTS=300000 DB=bench300k bash loadtest/takeover.sh
# LOAD=0 reuses a database already loaded. Failure detection is the fast one the reliability tests use (a probe every 2 s,
# three missed, two votes); Orleans' defaults take longer to declare a silo dead. Every process it starts is stopped on exit.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SILOS="${SILOS:-3}"; ACCOUNTS="${ACCOUNTS:-300000}"; DB="${DB:-bench300k}"; LOAD="${LOAD:-1}"
PG="${PG:-Host=127.0.0.1;Port=55499;Username=postgres}"
HTTP_BASE="${HTTP_BASE:-5600}"; SILO_BASE="${SILO_BASE:-11600}"; GATEWAY_BASE="${GATEWAY_BASE:-30600}"
LOGS="${LOGS:-/tmp/takeover-logs}"
PGPORT="$(sed -E 's/.*Port=([0-9]+).*/\1/' <<<"$PG")"
mkdir -p "$LOGS"; rm -f "$LOGS"/silo*.log
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

if [[ "$LOAD" == 1 ]]; then
    psql -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "drop database if exists $DB" -c "create database $DB" >/dev/null
    dotnet "$ROOT/client/bin/Release/net10.0/households.dll" db load --connection "$PG;Database=$DB" --accounts "$ACCOUNTS"
fi
KEY="$(head -c 32 /dev/urandom | base64)"
# The accounts a silo parks now: its last warm-start or share line.
parked() { { grep -oE "Books warm start: [0-9,]+ accounts|[0-9,]+ accounts parked here" "$1" || true; } | tail -1 | grep -oE "[0-9][0-9,]*" | head -1 | tr -d , ; }
total() { local t=0 n; for f in "$@"; do n=$(parked "$f"); t=$((t + ${n:-0})); done; echo "$t"; }

started=$(date +%s.%N)
for ((i = 0; i < SILOS; i++)); do
    ConnectionStrings__Households="$PG;Database=$DB" Orleans__SiloPort=$((SILO_BASE + i)) Orleans__GatewayPort=$((GATEWAY_BASE + i)) \
    ASPNETCORE_URLS="http://127.0.0.1:$((HTTP_BASE + i))" Market__Simulate=false Demo__Enabled=false Auth__SigningKey="$KEY" \
    Orleans__Membership__ProbeTimeout=00:00:02 Orleans__Membership__NumMissedProbesLimit=3 \
    Orleans__Membership__NumVotesForDeathDeclaration=2 Orleans__Membership__TableRefreshTimeout=00:00:02 \
    Logging__LogLevel__Default=Warning Logging__Console__FormatterName=simple \
        dotnet "$ROOT/silo/bin/Release/net10.0/Households.Silo.dll" >"$LOGS/silo$i.log" 2>&1 &
    pids+=($!)
    # The first silo applies the schema; the others start once it has.
    [[ $i == 0 ]] && for _ in $(seq 1 120); do grep -q "Books warm start" "$LOGS/silo0.log" && break; sleep 1; done
done
logs=("$LOGS"/silo*.log)
for _ in $(seq 1 600); do
    all=1; for f in "${logs[@]}"; do grep -q "Books warm start" "$f" || all=0; done
    [[ $all == 1 && "$(total "${logs[@]}")" == "$ACCOUNTS" ]] && break
    sleep 1
done
echo "settled $(printf '%.1f' "$(echo "$(date +%s.%N) - $started" | bc)") s after the first start: $(for f in "${logs[@]}"; do echo -n "$(basename "$f") $(parked "$f"), "; done)"
for ((i = 0; i < SILOS; i++)); do echo "silo$i resident $(($(awk '/VmRSS/{print $2}' /proc/${pids[$i]}/status) / 1024)) MB"; done

victim=${pids[0]}
before=$(parked "$LOGS/silo0.log")
killed=$(date +%s.%N)
kill -9 "$victim"
echo "killed silo0 (pid $victim), parking $before accounts"
survivors=("${logs[@]:1}")
for _ in $(seq 1 1200); do
    done_all=1
    for f in "${survivors[@]}"; do grep -q "($SILOS to $((SILOS - 1)) active silos)" "$f" || done_all=0; done
    [[ $done_all == 1 && "$(total "${survivors[@]}")" == "$ACCOUNTS" ]] && break
    sleep 0.2
done
echo "survivors watch all $ACCOUNTS accounts $(printf '%.1f' "$(echo "$(date +%s.%N) - $killed" | bc)") s after the kill:"
for f in "${survivors[@]}"; do grep -h "($SILOS to $((SILOS - 1)) active silos)" "$f" | sed -E 's/^ +/  /'; done
for ((i = 1; i < SILOS; i++)); do echo "silo$i resident $(($(awk '/VmRSS/{print $2}' /proc/${pids[$i]}/status) / 1024)) MB"; done
