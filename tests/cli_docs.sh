# cli_docs.sh — the manual page and the bash completion never disagree with --help: every option
# that `nnt --help` and `nnt CMD --help` list (read from the binary, so a new option fails this
# test until it is documented) appears in docs/nnt.1's section of that command, every default the
# help prints appears in the man page's entry for that option, the man page's version is the
# binary's, and the completion offers every option. The page renders without groff warnings.
. "$(dirname "$0")/lib.sh"
MAN="$NNT_SOURCE_DIR/docs/nnt.1"
COMP="$NNT_SOURCE_DIR/completions/nnt.bash"
# the man source as text: \- is a hyphen, font escapes go
sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\&//g' -e 's/\\e/\\/g' "$MAN" >"$T/man.txt"

# section CMD: the lines of `.SS "nnt CMD ..."` up to the next .SS or .SH; the whole page for ""
section() {
  if [ -z "$1" ]; then cp "$T/man.txt" "$T/sec"; return; fi
  awk -v cmd="$1" '/^\.S[SH] / { on = ($0 ~ "^\\.SS \"nnt " cmd " ") } on' "$T/man.txt" >"$T/sec"
}
# entry OPT: the .TP block of the section whose tag line names OPT
entry() {
  awk -v opt="$1" '
    /^\.(TP|SS|SH|PP)/ { if (hit) exit; tag = ($0 ~ /^\.TP/); next }
    tag { tag = 0; hit = index(" " $0 " ", " " opt " ") > 0 }
    hit' "$T/sec" >"$T/entry"
}
# the help's option entries, one per line: the option lines and their deeper-indented
# continuations joined
entries() {
  awk '
    /^  +-/ { if (e) print e; e = $0; next }
    /^                  +[^ -]/ && e { sub(/^ +/, " "); e = e $0; next }
    { if (e) print e; e = "" }
    END { if (e) print e }' "$1"
}

expect 0 "$NNT" --version
version=$(head -n 1 "$T/out")
check "man page .TH is '$version'" grep -q "^\.TH NNT 1 \"[0-9-]*\" \"$version\"" "$MAN"

for cmd in "" train predict eval info export show cv tune; do
  expect 0 "$NNT" $cmd --help
  cp "$T/out" "$T/help"
  section "$cmd"
  check "man page has a section for '$cmd'" test -s "$T/sec"
  # every --long option, and every -x short one, appears in the command's section
  for opt in $(grep -oE -- '(^|[ ,(])--[a-z][a-z0-9-]*' "$T/help" | grep -oE -- '--[a-z0-9-]+' | sort -u) \
             $(grep -oE -- '^  -[a-zA-Z],' "$T/help" | tr -d ' ,'); do
    if grep -qE -- "(^|[^a-z0-9-])$opt([^a-z0-9-]|\$)" "$T/sec"; then ok; else
      fail "option $opt of 'nnt $cmd --help' is missing from the man page's section 'nnt $cmd'"
    fi
  done
  # every default: its first word and each number must be in the option's man entry
  entries "$T/help" | grep -E 'defaults?[: ]' >"$T/with_defaults" || true
  while IFS= read -r line; do
    opt=$(printf '%s\n' "$line" | grep -oE -- '--[a-z][a-z0-9-]*' | head -n 1)
    value=$(printf '%s\n' "$line" | sed -E 's/.*defaults?:? ([^)]*)\).*/\1/')
    entry "$opt"
    if [ ! -s "$T/entry" ]; then fail "no man entry (.TP) for $opt of nnt $cmd"; continue; fi
    first=$(printf '%s\n' "$value" | awk '{ print $1 }' | tr -d ',:;')
    for word in $( (echo "$first"; printf '%s\n' "$value" | grep -oE '[0-9][0-9.e+-]*' | sed 's/[.]$//') | sort -u); do
      if grep -qF -- "$word" "$T/entry"; then ok; else
        fail "default '$word' of $opt (help: '$value') is missing from its man entry (nnt $cmd)"
      fi
    done
  done <"$T/with_defaults"
  # every command the main help lists has a section
  if [ -z "$cmd" ]; then
    for c in $(awk '/^Commands:/ { on = 1; next } /^$/ { on = 0 } on && /^  [a-z]/ { print $1 }' "$T/help"); do
      check "man page section for command '$c'" grep -q "^\.SS \"nnt $c " "$T/man.txt"
    done
  fi
  # the completion offers every option of the command
  if [ -n "$cmd" ]; then
    bash -c '. "$1"; COMP_WORDS=(nnt "$2" -); COMP_CWORD=2; _nnt; printf "%s\n" "${COMPREPLY[@]}"' \
      _ "$COMP" "$cmd" >"$T/comp"
    for opt in $(entries "$T/help" | grep -oE -- '(^| |,)--?[a-z][a-z0-9-]*' | grep -oE -- '--?[a-z0-9-]+' | sort -u); do
      if grep -qxF -- "$opt" "$T/comp"; then ok; else fail "completion of 'nnt $cmd -' lacks $opt"; fi
    done
  fi
done

# completion of commands and of values
comp() { bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _nnt; echo "${COMPREPLY[*]}"' _ "$COMP" "$@"; }
check "nnt tr<TAB> -> train" test "$(comp nnt tr)" = train
check "nnt e<TAB> -> eval export" test "$(comp nnt e)" = "eval export"
check "--act values" test "$(comp nnt train --act '')" = "sigmoid tanh relu leaky-relu"
check "--format values" test "$(comp nnt export --format '')" = "npz onnx"
check "train's --scale values" test "$(comp nnt train --scale '')" = "none center standardize"
check "show's --scale is a number" test -z "$(comp nnt show --scale '')"
check "predict's MODEL is a .bin" test "$(cd "$NNT_SOURCE_DIR" && comp nnt predict tests/data/m)" = tests/data/model-v1.bin

# the page renders cleanly (groff's warnings on), where groff is installed
if command -v groff >/dev/null; then
  groff -man -Tutf8 -ww -z "$MAN" 2>"$T/groff"
  check "groff renders the man page without warnings: $(head -c 300 "$T/groff")" test ! -s "$T/groff"
fi
done_tests
