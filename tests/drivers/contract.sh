#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The guarantees core's run loop gives every simulation driver (docs/core.md), checked on one
# driver as a user would meet them:
#   1. a run split in two (the second part restarted with a changed output interval) ends
#      with the files of the uninterrupted run;
#   2. a run killed (SIGKILL) after some units of work and restarted from its last checkpoint
#      in the same folder (with a changed output interval) ends with the same files: no
#      duplicated or missing table rows;
#   3. a restart with a changed physics key is refused: exit 2, one line naming the key;
#   4. a checkpoint whose attributes were edited is refused: exit 3, one line;
#   5. ranks started with different settings are refused: exit 2, one line naming the key;
#   6. a second run in a folder in use is refused at once: exit 2, one line; SIGTERM then ends
#      the first after its unit of work: exit 4, the "continue with --restart" line printed;
#   7. --summary naming the input deck or a file the run writes is refused before any work:
#      exit 2, the deck intact; a --summary that cannot be written: exit 3 at the start;
#   8. a re-run in the same folder overwrites what the first run wrote (a stop file left there
#      is removed with a warning, not obeyed);
#   9. a stop file (<output>/stop) ends all ranks after their unit of work: exit 4, the final
#      lines printed, the file removed; so does SIGUSR1 sent to mpiexec where the launcher
#      forwards it to the ranks (OpenMPI 5.0.7 does; OpenMPI 4.1.6 of Ubuntu 24.04 does not:
#      there the step says it was skipped).
# Usage: contract.sh NAME DRIVER MPIEXEC_AND_FLAGS -- SETTINGS...
# SETTINGS are KEY=VALUE words (values are word-split into arguments):
#   deck=FILE     the input deck (optional)         args=...    every run (a short run)
#   split=...     the first part of a split run
#   fixed=K=V     a change of a key a restart must keep (fixed_on_restart)
#   changed=K=V   an unfixed key changed on restart (an output interval)
#   long=...      makes a run last long enough to be signalled
#   kill=N        units of work after which the killed run dies (checkpoints: killargs=...)
#   compare=...   files compared between runs (tables: by column, without ignore=... columns;
#                 .h5: every dataset exactly; .yoda: compare_yoda.py; others: byte for byte)
set -euo pipefail
name=$1 driver=$2 mpiexec=$3
shift 3
[[ $1 == -- ]] && shift
declare -A s=([deck]="" [args]="" [split]="" [fixed]="" [changed]="" [long]="" [kill]="" [killargs]="" [compare]="" [ignore]="")
for setting in "$@"; do s[${setting%%=*}]=${setting#*=}; done
read -ra args <<<"${s[args]}"
# The deck goes first, as users write it; runs that need their own deck pass "${args[@]}" only.
with_deck=()
[[ -n ${s[deck]} ]] && with_deck=("${s[deck]}")
read -ra split <<<"${s[split]}"
read -ra long <<<"${s[long]}"
read -ra killargs <<<"${s[killargs]}"
read -ra launcher <<<"$mpiexec"
here=$(cd "$(dirname "$0")" && pwd)
expect=$here/expect_failure.sh
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
checkpoint=$name.chk.h5
fail() {
  echo "FAIL ($name): $*"
  exit 1
}

# Compares the files named in compare= between two output folders.
same_files() {
  python3 - "$1" "$2" "${s[ignore]}" ${s[compare]} <<'PY' || fail "files of $1 and $2 differ"
import csv, subprocess, sys, os
a, b, ignore, files = sys.argv[1], sys.argv[2], set(sys.argv[3].split()), sys.argv[4:]
def table(path):
    lines = open(path).read().splitlines()
    if lines and lines[0].startswith("#"):
        header = lines[0][1:].split()
        rows = [l.split() for l in lines[1:]]
    else:
        rows = list(csv.reader(lines))
        header, rows = rows[0], rows[1:]
    keep = [i for i, h in enumerate(header) if h not in ignore]
    return [header[i] for i in keep], [[r[i] for i in keep] for r in rows]
for f in files:
    pa, pb = os.path.join(a, f), os.path.join(b, f)
    if f.endswith(".h5"):
        import h5py, numpy
        with h5py.File(pa) as x, h5py.File(pb) as y:
            names = []
            x.visit(lambda n: names.append(n) if isinstance(x[n], h5py.Dataset) else None)
            for n in names:
                assert numpy.array_equal(x[n][()], y[n][()], equal_nan=True), f"{f}:{n} differs"
    elif f.endswith(".yoda"):
        here = os.path.dirname(os.path.abspath(sys.argv[0])) if sys.argv[0] != "-" else ""
        subprocess.run([sys.executable, os.environ["COMPARE_YODA"], pa, pb], check=True, stdout=subprocess.DEVNULL)
    elif f.endswith((".dat", ".csv", ".hst")):
        ta, tb = table(pa), table(pb)
        assert ta == tb, f"{f}: {len(ta[1])} rows vs {len(tb[1])} rows, first difference: " + next(
            (f"{r} vs {q}" for r, q in zip(ta[1], tb[1]) if r != q), "(lengths)")
    else:
        assert open(pa, "rb").read() == open(pb, "rb").read(), f"{f} differs"
print("same:", " ".join(files))
PY
}
export COMPARE_YODA=$here/compare_yoda.py

# Waits until a run in $1 has started its work (its log shows the banner and a line more).
wait_started() {
  for _ in $(seq 200); do
    [[ -f $1/$name.log && $(grep -c '' "$1/$name.log") -ge 2 ]] && return 0
    sleep 0.1
  done
  fail "the run in $1 did not start"
}

"$driver" "${with_deck[@]}" "${args[@]}" --output "$work/ref" --summary "$work/ref.json" >/dev/null
cp -r "$work/ref" "$work/first"

# 1. split: first part, then the rest with a changed output interval
if [[ ${#split[@]} -gt 0 ]]; then
  "$driver" "${with_deck[@]}" "${args[@]}" "${split[@]}" --output "$work/split" >/dev/null
  "$driver" "${with_deck[@]}" "${args[@]}" ${s[changed]:+--${s[changed]}} --output "$work/split" --restart "$work/split/$checkpoint" \
    >/dev/null
  same_files "$work/ref" "$work/split"
  echo "ok: split run (restart with --${s[changed]}) = uninterrupted"
fi

# 2. killed after some units of work, restarted in the same folder
set +e
TESSERA_FAULT=kill-after-units=${s[kill]} "$driver" "${with_deck[@]}" "${args[@]}" "${killargs[@]}" --output "$work/kill" \
  >/dev/null 2>&1
status=$?
set -e
[[ $status -eq 137 ]] || fail "the run to be killed ended with $status, not 137 (SIGKILL)"
[[ -f $work/kill/$checkpoint ]] || fail "the killed run left no checkpoint"
cp "$work/kill/$checkpoint" "$work/good.chk.h5"
"$driver" "${with_deck[@]}" "${args[@]}" ${s[changed]:+--${s[changed]}} --output "$work/kill" \
  --restart "$work/kill/$checkpoint" >/dev/null
same_files "$work/ref" "$work/kill"
echo "ok: killed after ${s[kill]} units and restarted (with --${s[changed]}) = uninterrupted (no duplicated rows)"

# 3. a changed physics key
"$expect" 2 "key '${s[fixed]%%=*}' = .* there, .* now" "$driver" "${with_deck[@]}" "${args[@]}" "--${s[fixed]}" --output "$work/fixed" \
  --restart "$work/good.chk.h5"

# 4. an edited attribute of the loop's and one of the module's
python3 - "$work/good.chk.h5" "$work/edited.chk.h5" <<'PY'
import shutil, sys, h5py
shutil.copy(sys.argv[1], sys.argv[2])
with h5py.File(sys.argv[2], "r+") as f:
    f.attrs["tessera_position"] = f.attrs["tessera_position"] + 1
PY
"$expect" 3 "edited.chk.h5: its attributes fail their checksum" "$driver" "${with_deck[@]}" "${args[@]}" --output "$work/edited" \
  --restart "$work/edited.chk.h5"

# 5. ranks started with different settings: rank 1 gets one more override. (OpenMPI 5.0.7's
# launcher crashes on the MPMD form "-n 1 A : -n 1 B", so each rank picks its arguments.)
cat >"$work/per_rank.sh" <<'SH'
#!/usr/bin/env bash
rank=${OMPI_COMM_WORLD_RANK:-${PMIX_RANK:-${PMI_RANK:-0}}}
extra=$1
shift
if [[ $rank == 1 ]]; then exec "$@" "$extra"; else exec "$@"; fi
SH
chmod +x "$work/per_rank.sh"
"$expect" 2 "the ranks were started with different settings: key '${s[fixed]%%=*}' = " "${launcher[@]}" -n 2 \
  "$work/per_rank.sh" "--${s[fixed]}" "$driver" "${with_deck[@]}" "${args[@]}" --output "$work/ranks"

# Sends SIGNAL to PID, which must then end with exit 4 and the "continue" line in OUT, within
# 60 s (a run that never stops fails here with its last lines, instead of hanging the test).
# SIGNAL 0: nothing is sent (something else asked the run to stop).
stopped_by() {
  local signal=$1 pid=$2 out=$3 status what=SIG$1
  [[ $signal == 0 ]] && what="stop file"
  [[ $signal == 0 ]] || kill "-$signal" "$pid"
  for _ in $(seq 600); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
    fail "$what: still running 60 s later; its last lines: $(tail -8 "$out")"
  fi
  set +e
  wait "$pid"
  status=$?
  set -e
  [[ $status -eq 4 ]] || fail "$what: exit $status, expected 4: $(tail -5 "$out")"
  grep -q "continue with --restart" "$out" || fail "$what: the final lines are missing"
}

# 6. a folder in use; SIGTERM to the run holding it
"$driver" "${with_deck[@]}" "${args[@]}" "${long[@]}" --output "$work/busy" >"$work/busy.out" 2>&1 &
pid=$!
wait_started "$work/busy"
"$expect" 2 "busy: the output directory is in use by another run \\(tessera-$name, pid $pid" "$driver" "${with_deck[@]}" "${args[@]}" \
  --output "$work/busy"
stopped_by TERM $pid "$work/busy.out"
grep -q "continue with --restart $work/busy/$checkpoint" "$work/busy.out" || fail "SIGTERM: no 'continue' line"
grep -q "continue with --restart" "$work/busy/$name.log" || fail "SIGTERM: the run log lacks the last lines"
echo "ok: a second run in a busy folder refused; SIGTERM: exit 4 with the final lines"

# 7. --summary onto the input deck
if [[ -n ${s[deck]} ]]; then cp "${s[deck]}" "$work/deck.toml"; else printf '# a deck\n' >"$work/deck.toml"; fi
cp "$work/deck.toml" "$work/deck.orig"
"$expect" 2 "--summary .*deck.toml: is the input deck, which the run reads; name another file" "$driver" \
  "$work/deck.toml" "${args[@]}" --output "$work/deck" --summary "$work/deck.toml"
cmp -s "$work/deck.toml" "$work/deck.orig" || fail "the deck was changed"
[[ -z $(ls "$work/deck" | grep -v -e '^\.' -e "$name.log") ]] || fail "work was done before the --summary refusal"
"$expect" 2 "--summary .*/$checkpoint: the run writes it in the output directory" "$driver" "${with_deck[@]}" "${args[@]}" \
  --output "$work/deck" --summary "$work/deck/$checkpoint"
"$expect" 3 "--summary /nonexistent/s.json: cannot be written" "$driver" "${with_deck[@]}" "${args[@]}" --output "$work/deck" \
  --summary /nonexistent/s.json
[[ -z $(ls "$work/deck" | grep -v -e '^\.' -e "$name.log") ]] || fail "work was done before the --summary refusal"

# 8. a re-run overwrites (and is not stopped by a stop file left from before it began)
touch "$work/ref/stop"
"$driver" "${with_deck[@]}" "${args[@]}" --output "$work/ref" >"$work/rerun.out" 2>&1
same_files "$work/first" "$work/ref"
grep -q "removed $work/ref/stop: a stop file that was there before the run began" "$work/rerun.out" ||
  fail "a stale stop file was not reported"
echo "ok: a re-run in the same folder overwrites its files (a stale stop file removed)"

# 9. the stop file; SIGUSR1 to mpiexec
"${launcher[@]}" -n 2 "$driver" "${with_deck[@]}" "${args[@]}" "${long[@]}" --output "$work/stopfile" \
  >"$work/stopfile.out" 2>&1 &
pid=$!
wait_started "$work/stopfile"
touch "$work/stopfile/stop"
stopped_by 0 $pid "$work/stopfile.out"
grep -q "stop requested (stop file $work/stopfile/stop)" "$work/stopfile.out" || fail "stop file: not named in the last lines"
[[ ! -e $work/stopfile/stop ]] || fail "stop file: still there after the run it stopped"
echo "ok: a stop file: every rank stopped after its unit of work, exit 4, final lines printed, the file removed"

# Does this launcher forward SIGUSR1 to its ranks? (Each rank says so in a file of its own.)
forwards_usr1() {
  local probe=$work/usr1-probe status
  mkdir -p "$probe"
  "${launcher[@]}" -n 2 bash -c 'trap "exit 4" USR1; touch "$0/ready.$$"; for _ in $(seq 100); do sleep 0.1; done' \
    "$probe" >/dev/null 2>&1 &
  local launched=$!
  for _ in $(seq 100); do
    [[ $(find "$probe" -name 'ready.*' | wc -l) -ge 2 ]] && break
    sleep 0.1
  done
  kill -USR1 $launched
  set +e
  wait $launched
  status=$?
  set -e
  [[ $status -eq 4 ]]
}
if forwards_usr1; then
  "${launcher[@]}" -n 2 "$driver" "${with_deck[@]}" "${args[@]}" "${long[@]}" --output "$work/usr1" >"$work/usr1.out" 2>&1 &
  pid=$!
  wait_started "$work/usr1"
  stopped_by USR1 $pid "$work/usr1.out"
  echo "ok: SIGUSR1 to mpiexec: every rank stopped after its unit of work, exit 4, final lines printed"
else
  echo "skipped: SIGUSR1 to mpiexec (this launcher, ${launcher[0]}, does not forward SIGUSR1 to its ranks)"
fi
echo "ok: $name keeps every guarantee of the run loop"
