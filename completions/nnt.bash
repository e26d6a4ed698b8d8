# nnt.bash — bash completion for nnt: commands, each command's options, the values of options
# that take a fixed set, and files or folders where a command expects them. Installed as
# share/bash-completion/completions/nnt; works without the bash-completion package too
# (`source completions/nnt.bash`). tests/cli_docs.sh checks the option lists against --help.

_nnt_opts_train="--hidden --act --init --seed --epochs --iters --batch --optimizer --lr --momentum
  --schedule --lr-factor --lr-step --lr-min --warmup --weight-decay
  --beta1 --beta2 --eps --l2 --dropout --solver --val-split --patience --size --max-pixels --skip-bad --threads
  -o --output --plot --log-every --json -q --quiet -h --help
  --scale --augment --checkpoint --checkpoint-every --resume --init-from"
_nnt_opts_predict="--json --max-pixels -h --help"
_nnt_opts_eval="--json --top --max-pixels --threads --skip-bad -h --help"
_nnt_opts_info="--json -h --help"
_nnt_opts_export="-f --format -h --help"
_nnt_opts_show="-o --output --scale -h --help"
# cv takes every train option but --val-split, -o, --plot and --log-every, and its own
_nnt_opts_cv="-k --folds --workers --json -h --help
  --hidden --act --init --seed --epochs --iters --batch --optimizer --lr --momentum
  --schedule --lr-factor --lr-step --lr-min --warmup --weight-decay
  --beta1 --beta2 --eps --l2 --dropout --solver --patience --size --max-pixels --skip-bad --threads
  --scale --augment"

# tune takes every train option (lists and ranges), and its own
_nnt_opts_tune="-k --folds --trials --workers --log --resume --refit -o --output --plot --json -q --quiet -h --help
  --hidden --act --init --seed --epochs --iters --batch --optimizer --lr --momentum
  --schedule --lr-factor --lr-step --lr-min --warmup --weight-decay
  --beta1 --beta2 --eps --l2 --dropout --solver --val-split --patience --size --max-pixels --skip-bad --threads
  --scale --augment"

# Options that take a value (the next word is that value, not an argument).
_nnt_takes_value="--hidden --act --init --seed --epochs --iters --batch --optimizer --lr
  --schedule --lr-factor --lr-step --lr-min --warmup --weight-decay
  --momentum --beta1 --beta2 --eps --l2 --dropout --solver --val-split --patience --size --max-pixels --threads
  -o --output --plot --log-every --top -f --format --scale -k --folds --workers --trials --log
  --augment --checkpoint --checkpoint-every --resume --init-from"

# Files ending in .$1 (either case) and folders, or any file when $1 is empty.
_nnt_files()
{
    local IFS=$'\n'
    if [[ -n $1 ]]; then
        COMPREPLY=($(compgen -f -X "!*.$1" -- "$cur") $(compgen -f -X "!*.${1^^}" -- "$cur")
                   $(compgen -d -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
    compopt -o filenames 2>/dev/null || true # fails outside a real completion
}

_nnt_dirs()
{
    local IFS=$'\n'
    COMPREPLY=($(compgen -d -- "$cur"))
    compopt -o filenames 2>/dev/null || true # fails outside a real completion
}

_nnt()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=""
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    COMPREPLY=()

    if ((COMP_CWORD == 1)); then
        COMPREPLY=($(compgen -W "train predict eval info export show cv tune help --help --version" -- "$cur"))
        return 0
    fi
    local cmd=${COMP_WORDS[1]}

    # the value of the option before the cursor
    case $prev in
    --act) COMPREPLY=($(compgen -W "sigmoid tanh relu leaky-relu" -- "$cur")); return 0 ;;
    --init) COMPREPLY=($(compgen -W "auto he xavier normal" -- "$cur")); return 0 ;;
    --optimizer) COMPREPLY=($(compgen -W "sgd momentum adam" -- "$cur")); return 0 ;;
    --solver) COMPREPLY=($(compgen -W "auto primal dual" -- "$cur")); return 0 ;;
    --schedule) COMPREPLY=($(compgen -W "constant step cosine" -- "$cur")); return 0 ;;
    --lr-factor | --lr-step | --lr-min | --warmup | --weight-decay) return 0 ;; # a number
    --batch) COMPREPLY=($(compgen -W "full 32 64 128 256" -- "$cur")); return 0 ;;
    --augment) COMPREPLY=($(compgen -W "none shift=1 shift=2 flip rotate=10 scale=0.1 shear=0.1 elastic=34:4" -- "$cur")); return 0 ;;
    -f | --format) COMPREPLY=($(compgen -W "npz onnx" -- "$cur")); return 0 ;;
    --scale) # train's input scaling; show's pixels per weight, a number
        [[ $cmd == train || $cmd == cv || $cmd == tune ]] && COMPREPLY=($(compgen -W "none center standardize" -- "$cur"))
        return 0 ;;
    --plot) _nnt_files png; return 0 ;;
    --log) _nnt_files ""; return 0 ;;
    --checkpoint | --resume) _nnt_files ckpt; return 0 ;;
    --init-from) _nnt_files bin; return 0 ;;
    -o | --output)
        if [[ $cmd == show ]]; then _nnt_files png; else _nnt_files bin; fi
        return 0 ;;
    --hidden | --seed | --epochs | --iters | --lr | --momentum | --beta1 | --beta2 | --eps | \
    --l2 | --dropout | --val-split | --patience | --size | --max-pixels | --threads | --log-every | --top | -k | --folds | --workers | --trials | \
    --checkpoint-every)
        return 0 ;; # a number: nothing to offer
    esac

    local opts_var=_nnt_opts_${cmd}
    if [[ $cur == -* ]]; then
        [[ -n ${!opts_var+set} ]] && COMPREPLY=($(compgen -W "${!opts_var}" -- "$cur"))
        return 0
    fi

    # which positional argument the cursor is on, skipping options and their values
    local i n=0 w
    for ((i = 2; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        if [[ $w == -* ]]; then
            [[ $w != *=* && " ${_nnt_takes_value//$'\n'/ } " == *" $w "* ]] && ((i++))
        else
            ((n++))
        fi
    done
    case $cmd in
    train | cv | tune) _nnt_dirs ;;
    predict) if ((n == 0)); then _nnt_files bin; else _nnt_files png; fi ;;
    eval) if ((n == 0)); then _nnt_files bin; else _nnt_dirs; fi ;;
    info | show) _nnt_files bin ;;
    export) if ((n == 0)); then _nnt_files bin; else _nnt_files ""; fi ;;
    esac
    return 0
}
complete -F _nnt nnt
