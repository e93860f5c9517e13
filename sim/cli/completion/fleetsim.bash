# bash completion for fleetsim (README "Shell completion"). Source it, or copy it to
# /usr/share/bash-completion/completions/fleetsim. What to offer comes from the program itself,
# `fleetsim __complete LINE` (sim/cli/command_completion.hpp): commands, each command's options,
# --set/--vary paths from the scenario schema, device model names; this script only expands its
# "@files json", "@dirs" and "@files" answers into file names.
_fleetsim() {
  local cur="${COMP_WORDS[COMP_CWORD]}" program="${COMP_WORDS[0]}" line answer
  line="${COMP_LINE:0:COMP_POINT}"
  answer="$("$program" __complete "$line" 2>/dev/null)" || return 0
  COMPREPLY=()
  case "$answer" in
    "@files json")
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -d -- "$cur"; compgen -f -X '!*.json' -- "$cur") ;;
    "@dirs")
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
    "@files")
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
    *)
      [ -n "$answer" ] && mapfile -t COMPREPLY <<<"$answer"
      # a --set path ends in '=': the value follows without a space
      [[ "${COMPREPLY[0]}" == *= ]] && compopt -o nospace 2>/dev/null ;;
  esac
  return 0
}
complete -F _fleetsim fleetsim
