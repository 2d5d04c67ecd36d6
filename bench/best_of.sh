#!/usr/bin/env bash
# Shared by the whole-process list benches (sourced, not run): `add NAME CMD`
# queues a peer, `best_of RUNS` runs every peer RUNS times in interleaved
# rounds (so load changes hit every peer alike) and prints, per peer, the best
# wall time and the best CPU time (user+sys), both also as a ratio to the
# first peer (the floor). Needs `$peers`, a scratch directory.
declare -a names cmds
add() { names+=("$1"); cmds+=("$2"); }

best_of() { # RUNS
  local runs=$1 i e u s c
  declare -a wall cpu
  for i in "${!cmds[@]}"; do
    wall[i]=999999
    cpu[i]=999999
  done
  for _ in $(seq "$runs"); do
    for i in "${!cmds[@]}"; do
      /usr/bin/time -o "$peers/t" -f '%e %U %S' bash -c "${cmds[i]}" >/dev/null 2>&1 || true
      read -r e u s < <(tail -1 "$peers/t")
      c=$(echo "$u + $s" | bc)
      [ "$(echo "$e < ${wall[i]}" | bc)" = 1 ] && wall[i]=$e
      [ "$(echo "$c < ${cpu[i]}" | bc)" = 1 ] && cpu[i]=$c
    done
  done
  printf '%-32s %8s %6s %8s %6s\n' peer wall_s ratio cpu_s ratio
  for i in "${!cmds[@]}"; do
    printf '%-32s %8.2f %6.2f %8.2f %6.2f\n' "${names[i]}" "${wall[i]}" \
      "$(echo "${wall[i]} / ${wall[0]}" | bc -l)" "${cpu[i]}" "$(echo "${cpu[i]} / ${cpu[0]}" | bc -l)"
  done
}
