#!/usr/bin/env bash
# Multi-silo load test: N silos (default 3) on loopback with AdoNet clustering and grain storage on PostgreSQL, driven
# by the load test through an Orleans client. Run it with SILOS=1 and SILOS=3 to compare one silo with three.
#   PG="Host=127.0.0.1;Port=55433;Username=postgres" SILOS=3 ACCOUNTS=100000 SECONDS=30 bash loadtest/multisilo.sh
# Every process it starts is stopped on exit (by pid). The database (DB, default hh_scale_ms) is dropped and created.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SILOS="${SILOS:-3}"; ACCOUNTS="${ACCOUNTS:-100000}"; SECONDS_RUN="${SECONDS:-30}"; INTERVAL_MS="${INTERVAL_MS:-1000}"
PG="${PG:-Host=127.0.0.1;Port=55433;Username=postgres}"; DB="${DB:-hh_scale_ms}"
HTTP_BASE="${HTTP_BASE:-5500}"; SILO_BASE="${SILO_BASE:-11500}"; GATEWAY_BASE="${GATEWAY_BASE:-30500}"
OUT="${OUT:-$ROOT/loadtest-cluster-${SILOS}silo.json}"; LOGS="${LOGS:-/tmp/multisilo-logs}"
PGHOST_PORT="$(sed -E 's/.*Port=([0-9]+).*/\1/' <<<"$PG")"
mkdir -p "$LOGS"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

psql -h 127.0.0.1 -p "$PGHOST_PORT" -U postgres -qc "drop database if exists $DB" -c "create database $DB" >/dev/null
dotnet build "$ROOT/silo" -c Release -v q -nologo >/dev/null
dotnet build "$ROOT/loadtest" -c Release -v q -nologo >/dev/null
# A signing key for the PostgreSQL profile (authentication); tokens for the load test come from HOUSEHOLDS_TOKEN.
KEY="${AUTH_SIGNING_KEY:-$(head -c 32 /dev/urandom | base64)}"

urls=(); gateways=()
for ((i = 0; i < SILOS; i++)); do
    http=$((HTTP_BASE + i)); urls+=("http://127.0.0.1:$http"); gateways+=($((GATEWAY_BASE + i)))
    ConnectionStrings__Households="$PG;Database=$DB" Orleans__SiloPort=$((SILO_BASE + i)) Orleans__GatewayPort=$((GATEWAY_BASE + i)) \
    ASPNETCORE_URLS="http://127.0.0.1:$http" Market__Simulate=false Demo__Enabled=false Auth__SigningKey="$KEY" RateLimit__Enabled=false \
    Decisions__FirmPerSecond=1 Decisions__FirmBurst=1 Logging__LogLevel__Default=Warning \
        dotnet "$ROOT/silo/bin/Release/net10.0/Households.Silo.dll" >"$LOGS/silo$i.log" 2>&1 &
    pids+=($!)
    # The first silo applies the schema; the others join once it answers.
    for _ in $(seq 1 120); do
        code=$(curl -s -o /dev/null -w '%{http_code}' ${HOUSEHOLDS_TOKEN:+-H "Authorization: Bearer $HOUSEHOLDS_TOKEN"} "http://127.0.0.1:$http/api/monitor" || true)
        [[ "$code" == 200 ]] && break; sleep 1
    done
    [[ "$code" == 200 ]] || { echo "silo $i did not come up (see $LOGS/silo$i.log)" >&2; exit 1; }
    echo "silo $i up: http $http, silo port $((SILO_BASE + i)), gateway $((GATEWAY_BASE + i))"
done

join() { local IFS=,; echo "$*"; }
dotnet "$ROOT/loadtest/bin/Release/net10.0/Households.LoadTest.dll" --cluster "$(join "${gateways[@]}")" --silo-urls "$(join "${urls[@]}")" \
    --accounts "$ACCOUNTS" --seconds "$SECONDS_RUN" --interval-ms "$INTERVAL_MS" --out "$OUT" ${HOUSEHOLDS_TOKEN:+--token "$HOUSEHOLDS_TOKEN"}
for ((i = 0; i < SILOS; i++)); do echo "silo $i peak resident: $(grep VmHWM /proc/${pids[$i]}/status | awk '{print $2/1024 " MB"}')"; done
