#!/usr/bin/env bash
# Issue #18 goal 7's takeover at scale: SILOS silo processes (default 3) on a firm bulk-loaded into PostgreSQL, each watching
# the accounts it owns from the books; once their shares have settled (the parked figures add up to the firm), the first
# silo is killed with SIGKILL and the survivors' share lines say how long until they watch its accounts again.
#   PG="Host=127.0.0.1;Port=55499;Username=postgres" ACCOUNTS=300000 DB=bench300k bash loadtest/takeover.sh
# LOAD=0 reuses a database already loaded. SHOCK=equities-12-1d (a named scenario) kills the silo mid-shock instead: the
# opening prices, then the shocked prices a batch a second; once KILL_AFTER proposals are filed the first silo dies, the
# shock goes on KEEP seconds (default 60), and the journal says how decisions went on (proposals per 10 s, triggers
# decided twice, the survivors' resends, every traded account's books against the journal). Failure detection is the fast one the reliability tests use (a probe every 2 s,
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
    Market__EnforceTradingHours=false Decisions__FirmPerSecond=10000 Decisions__FirmBurst=10000 \
    Logging__LogLevel__Default=Warning Logging__Console__FormatterName=simple \
        dotnet "$ROOT/silo/bin/Release/net10.0/Households.Silo.dll" >"$LOGS/silo$i.log" 2>&1 &
    pids+=($!)
    # The first silo applies the schema; the others start once it has.
    [[ $i == 0 ]] && for _ in $(seq 1 120); do grep -q "Books warm start" "$LOGS/silo0.log" && break; sleep 1; done
done
logs=(); for ((i = 0; i < SILOS; i++)); do logs+=("$LOGS/silo$i.log"); done # not a glob: a silo just started may not have written yet
for _ in $(seq 1 600); do
    all=1; for f in "${logs[@]}"; do grep -q "Books warm start" "$f" || all=0; done
    [[ $all == 1 && "$(total "${logs[@]}")" == "$ACCOUNTS" ]] && break
    sleep 1
done
echo "settled $(printf '%.1f' "$(echo "$(date +%s.%N) - $started" | bc)") s after the first start: $(for f in "${logs[@]}"; do echo -n "$(basename "$f") $(parked "$f"), "; done)"
for ((i = 0; i < SILOS; i++)); do echo "silo$i resident $(($(awk '/VmRSS/{print $2}' /proc/${pids[$i]}/status) / 1024)) MB"; done

SHOCK="${SHOCK:-}"; KILL_AFTER="${KILL_AFTER:-200}"; KEEP="${KEEP:-60}"
sql() { psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d "$DB" -Atc "$1"; }
if [[ -n "$SHOCK" ]]; then
    LT="$ROOT/loadtest/bin/Release/net10.0/Households.LoadTest.dll"
    TOKEN="$(Auth__SigningKey="$KEY" dotnet "$ROOT/client/bin/Release/net10.0/households.dll" token --role admin --hours 4)"
    dotnet "$LT" --mode quotes --accounts "$ACCOUNTS" >"$LOGS/opening.json"
    dotnet "$LT" --mode quotes --accounts "$ACCOUNTS" --shock "$SHOCK" >"$LOGS/shocked.json"
    # Prices go to a silo that survives; the feed grain may live anywhere.
    post() { curl -s -m 20 -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        --data-binary @"$1" "http://127.0.0.1:$((HTTP_BASE + 1))/api/prices"; }
    first=$(sql "SELECT coalesce(max(id), 0) FROM households_journal")
    echo "opening prices: HTTP $(post "$LOGS/opening.json")"
    shock_started=$(sql "SELECT now()")
    # A batch a second whatever the last one did: a publish in flight to the feed grain on the dead silo hangs until the
    # silo is declared dead, and a feed keeps its cadence (ShockKillTests' market once stalled a minute by waiting).
    ( while true; do post "$LOGS/shocked.json" >/dev/null & sleep 1; done ) &
    shocker=$!; pids+=($shocker)
    for _ in $(seq 1 600); do
        [[ $(sql "SELECT count(*) FROM households_journal WHERE id > $first AND kind = 'Proposal'") -ge $KILL_AFTER ]] && break
        sleep 1
    done
    echo "$(sql "SELECT count(*) FROM households_journal WHERE id > $first AND kind = 'Proposal'") proposals filed $(sql "SELECT round(extract(epoch FROM now() - '$shock_started'::timestamptz)::numeric, 1)") s into the shock"
fi

victim=${pids[0]}
before=$(parked "$LOGS/silo0.log")
killed=$(date +%s.%N)
killed_db=$( [[ -n "$SHOCK" ]] && sql "SELECT now()" || true )
kill -9 "$victim"
echo "killed silo0 (pid $victim), parking $before accounts"
survivors=("${logs[@]:1}")
# Every survivor has taken its part (its share line) and, on a quiet market, together they park the whole firm (during a
# shock some accounts are awake as grains, not parked). Bounded by time: on loaded cores each round of greps is slow.
deadline=$(( $(date +%s) + 180 ))
while (( $(date +%s) < deadline )); do
    done_all=1
    for f in "${survivors[@]}"; do grep -q "($SILOS to $((SILOS - 1)) active silos)" "$f" || done_all=0; done
    [[ $done_all == 1 && ( -n "${SHOCK:-}" || "$(total "${survivors[@]}")" == "$ACCOUNTS" ) ]] && break
    sleep 0.2
done
echo "survivors watch all $ACCOUNTS accounts $(printf '%.1f' "$(echo "$(date +%s.%N) - $killed" | bc)") s after the kill:"
for f in "${survivors[@]}"; do grep -h "($SILOS to $((SILOS - 1)) active silos)" "$f" | sed -E 's/^ +/  /'; done
for ((i = 1; i < SILOS; i++)); do echo "silo$i resident $(($(awk '/VmRSS/{print $2}' /proc/${pids[$i]}/status) / 1024)) MB"; done

if [[ -n "$SHOCK" ]]; then
    sleep "$KEEP"
    kill "$shocker" 2>/dev/null || true
    echo "the survivors' resends:"; for f in "${survivors[@]}"; do grep -h "sent again to their households" "$f" | sed -E 's/^ +/  /' || echo "  none in $(basename "$f")"; done
    echo "proposals filed a 10 s window, from the shock (the kill at $(sql "SELECT round(extract(epoch FROM '$killed_db'::timestamptz - '$shock_started'::timestamptz)::numeric, 1)") s):"
    sql "SELECT floor(extract(epoch FROM occurred_at - '$shock_started'::timestamptz) / 10) * 10 AS s, count(*) FROM households_journal
         WHERE id > $first AND kind = 'Proposal' AND idempotency_key LIKE '%:Pending' GROUP BY 1 ORDER BY 1" | tr '\n' ' '; echo
    echo "first decision after the kill on a trigger detected after it: $(sql "SELECT round(extract(epoch FROM min(occurred_at) - '$killed_db'::timestamptz)::numeric, 1)
         FROM households_journal, jsonb_array_elements(payload->'record'->'causes') c
         WHERE id > $first AND kind = 'Proposal' AND (c->>'detectedAt')::timestamptz > '$killed_db'::timestamptz") s"
    # A trigger decided twice: one identity in the causes of two decisions (proposals filed at one instant are one decision;
    # a re-optimization carrying exactly the causes it replaces continues its decision), as the audit counts them.
    echo "triggers decided twice: $(sql "WITH p AS (SELECT id, payload->'record' AS r FROM households_journal WHERE id > $first AND kind = 'Proposal'),
         continues AS (SELECT n.r->>'id' AS id FROM p o JOIN p n ON n.r->>'id' = o.r->>'supersededBy' WHERE o.r->'causes' = n.r->'causes'),
         d AS (SELECT DISTINCT r->>'householdId' AS h, r->>'createdAt' AS at, c->>'accountId' AS a, c->>'kind' AS k, c->>'subject' AS s,
               c->>'batchSequence' AS b, c->>'detectedAt' AS t FROM p, jsonb_array_elements(r->'causes') c WHERE r->>'id' NOT IN (SELECT id FROM continues))
         SELECT count(*) FROM (SELECT a, k, s, b, t FROM d GROUP BY a, k, s, b, t HAVING count(DISTINCT (h, at)) > 1) x") of $(sql "SELECT count(DISTINCT (c->>'accountId', c->>'kind', c->>'subject', c->>'batchSequence', c->>'detectedAt'))
         FROM households_journal, jsonb_array_elements(payload->'record'->'causes') c WHERE id > $first AND kind = 'Proposal'") decided"
    # No acknowledged trade lost or applied twice: once the decisions in flight finish, every account with a fill since the
    # shock has exactly its journaled fills in its books (read through the survivors' gateways).
    last=-1; for _ in $(seq 1 120); do n=$(sql "SELECT coalesce(max(id), 0) FROM households_journal"); [[ "$n" == "$last" ]] && break; last=$n; sleep 5; done
    ports=$(for ((i = 1; i < SILOS; i++)); do echo -n "$((GATEWAY_BASE + i)),"; done)
    echo "books against the journal: $(dotnet "$LT" --books-check "${ports%,}" --connection "$PG;Database=$DB" --journal-since "$first" 2>&1 | tail -3 | tr '\n' ' ')"
    echo "journal since the shock: $(sql "SELECT string_agg(kind || ' ' || n, ', ') FROM (SELECT kind, count(*) n FROM households_journal WHERE id > $first GROUP BY kind ORDER BY 2 DESC) k")"
fi
