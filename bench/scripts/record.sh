#!/usr/bin/env bash
# The figures of record in docs/BENCHMARKS.md: every table, one after the other, on a quiet machine.
# Builds the jars, then runs the harness; each run prints the 1-minute load average beside it, and
# every run checks completeness and one total order. Output: docs/bench/results.csv (appended) and
# docs/bench/record-<table>.txt, then the plots. Takes about half an hour.
#
#   bench/scripts/record.sh            # everything
#   bench/scripts/record.sh flat rates # some tables: flat senders sizes100 sizes rates steps
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
[[ -n "${SKIP_BUILD:-}" ]] || mvn -q -B package -DskipTests -pl bench,transport-udp -am
# Every run waits for the load average to fall below SETTLE (default 1.5) first: the previous run's own load
# counts too, so a table of 15 runs takes about 15 minutes.
bench() {
  if [[ $1 == compare ]]; then
    java -jar bench/target/consort-bench.jar "$@" --settle-load "${SETTLE:-1.5}"
  else
    java -jar bench/target/consort-bench.jar "$@"
  fi
}
out=docs/bench
tables=("$@")
[[ ${#tables[@]} -eq 0 ]] && tables=(flat senders sizes100 sizes rates steps)
for t in "${tables[@]}"; do
  echo "== $t (load $(cut -d' ' -f1 /proc/loadavg))"
  case $t in
    flat)     bench compare --daemons 3 --systems consort,consort-safe,consort-embedded,jgroups-seq,jgroups-noseq --rounds 3 \
                --warmup 200000 --count 1000000 --sizes 1000 ;;
    senders)  bench compare --daemons 3 --senders 3 --systems consort,consort-embedded,jgroups-seq --rounds 3 \
                --warmup 100000 --count 300000 --sizes 1000 ;;
    sizes100) bench compare --daemons 3 --systems consort,consort-embedded,jgroups-seq --rounds 3 \
                --warmup 300000 --count 1500000 --sizes 100 ;;
    sizes)    bench compare --daemons 3 --systems consort,consort-embedded,jgroups-seq,jgroups-noseq --rounds 3 \
                --warmup 20000 --count 60000 --sizes 10000 --timeout-s 120
              bench compare --daemons 3 --systems consort,consort-embedded,jgroups-seq,jgroups-noseq --rounds 3 \
                --warmup 2000 --count 8000 --sizes 100000 --timeout-s 120
              bench compare --daemons 3 --systems consort,consort-embedded,jgroups-seq,jgroups-noseq --rounds 3 \
                --warmup 200 --count 800 --sizes 1048576 --timeout-s 120 ;;
    rates)    bench compare --daemons 3 --systems consort,jgroups-seq --rounds 3 \
                --rates "${RATES:-10000,40000,80000}" --warmup 50000 --count 100000 --sizes 1000 --timeout-s 120 ;;
    # What each change bought, side by side in one session: BASE_JAR is consortd.jar built at the commit
    # before the fast-path work (git worktree add /tmp/base ae93839 && mvn -q -B package -DskipTests -pl
    # transport-udp -am there); the settings switch this commit's changes off one at a time.
    steps)    for cfg in base window256 unpaced now; do
                case $cfg in
                  base) args=(--consortd-jar "${BASE_JAR:?set BASE_JAR}") ;;
                  window256) args=(--consortd-set limits.sendWindowMessages=256) ;;
                  unpaced) args=(--consortd-set timeouts.rotationMinMicros=0) ;;
                  now) args=() ;;
                esac
                echo "-- $cfg"
                bench compare --daemons 3 --systems consort --rounds 3 --warmup 200000 --count 300000 --sizes 1000 \
                  --results "$out/steps-$cfg.csv" "${args[@]}"
                bench compare --daemons 3 --systems consort --rounds 3 --rates 30000 --warmup 60000 --count 90000 \
                  --sizes 1000 --results "$out/steps-$cfg.csv" "${args[@]}"
              done ;;
    *) echo "unknown table $t" >&2; exit 2 ;;
  esac 2>&1 | tee "$out/record-$t.txt"
done
bench plot
