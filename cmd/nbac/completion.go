package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/nbac/nbac/lang"
	"github.com/nbac/nbac/schema"
)

func init() {
	register(command{name: "completion", summary: "Print a shell completion script (bash, zsh or fish)", run: runCompletion})
	register(command{name: "__complete", summary: "shell completion back end", run: runComplete})
}

// The scripts are thin: they hand the words typed so far to the hidden
// `nbac __complete` and offer what it prints, so commands, flags and block
// names always come from the binary itself. A first line "__files__" asks
// the shell for its own file completion.
const filesDirective = "__files__"

var completionScripts = map[string]string{
	"bash": `# nbac bash completion: source <(nbac completion bash)
_nbac() {
    local cur=${COMP_WORDS[COMP_CWORD]} out
    out=$(nbac __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
    if [[ $out == ` + filesDirective + ` ]]; then
        COMPREPLY=($(compgen -f -- "$cur"))
    else
        COMPREPLY=($(compgen -W "$out" -- "$cur"))
    fi
}
complete -o filenames -F _nbac nbac
`,
	"zsh": `#compdef nbac
# nbac zsh completion: source <(nbac completion zsh), or save as _nbac in $fpath.
_nbac() {
    local -a out
    out=("${(@f)$(nbac __complete "${(@)words[2,CURRENT]}" 2>/dev/null)}")
    if [[ ${out[1]} == ` + filesDirective + ` ]]; then
        _files
    else
        compadd -- "${out[@]}"
    fi
}
compdef _nbac nbac
`,
	"fish": `# nbac fish completion: nbac completion fish | source
function __nbac_complete
    set -l out (nbac __complete (commandline -opc)[2..-1] (commandline -ct) 2>/dev/null)
    if test "$out[1]" = ` + filesDirective + `
        __fish_complete_path (commandline -ct)
    else
        printf '%s\n' $out
    end
end
complete -c nbac -f -a '(__nbac_complete)'
`,
}

func runCompletion(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("completion", "bash|zsh|fish",
		"Prints a completion script for the shell: commands, flags, file arguments, and\nthe load balancer, server and queue names of `nbac lb` and `nbac queue`, read\nfrom the configuration given as PATH.",
		"source <(nbac completion bash)      # in ~/.bashrc\nnbac completion zsh > \"${fpath[1]}/_nbac\"\nnbac completion fish > ~/.config/fish/completions/nbac.fish", stderr)
	pos, code, stop := parseFlags(fs, args)
	if stop {
		return code
	}
	if len(pos) != 1 {
		return usageError(fs, "want one shell: bash, zsh or fish")
	}
	script, ok := completionScripts[pos[0]]
	if !ok {
		return usageError(fs, "no completion for shell %q (bash, zsh or fish)%s", pos[0], suggestWord(pos[0], []string{"bash", "zsh", "fish"}))
	}
	fmt.Fprint(stdout, script)
	return exitOK
}

// runComplete prints the candidates for the last of words (the word being
// typed, perhaps empty), one a line. Errors print nothing: completion must
// never disturb the terminal.
func runComplete(words []string, stdout, _ io.Writer) int {
	for _, c := range completeWords(words) {
		fmt.Fprintln(stdout, c)
	}
	return exitOK
}

func completeWords(words []string) []string {
	if len(words) == 0 {
		words = []string{""}
	}
	cur := words[len(words)-1]
	if len(words) == 1 {
		return visibleCommands()
	}
	cmd, rest := words[0], words[1:len(words)-1] // rest: complete words after the command
	if _, ok := commands[cmd]; !ok {
		return nil
	}
	switch cmd {
	case "help":
		if len(rest) == 0 {
			return visibleCommands()
		}
		return nil
	case "completion":
		if len(rest) == 0 {
			return []string{"bash", "fish", "zsh"}
		}
		return nil
	case "version":
		return flagNames([]string{cmd})
	}
	helpArgs := []string{cmd}
	if cmd == "lb" || cmd == "queue" {
		if len(rest) == 0 {
			if cmd == "lb" {
				return lbSubcommands
			}
			return []string{"inspect", "replay-dlq"}
		}
		helpArgs = append(helpArgs, rest[0])
		rest = rest[1:]
	}
	if strings.HasPrefix(cur, "-") {
		return flagNames(helpArgs)
	}
	// A flag's value, or the nth positional argument.
	valued := valueFlags(helpArgs)
	var positional []string
	for i := 0; i < len(rest); i++ {
		w := rest[i]
		if strings.HasPrefix(w, "-") && len(w) > 1 {
			if valued[strings.TrimLeft(w, "-")] && !strings.Contains(w, "=") {
				if i == len(rest)-1 {
					return flagValue(cmd, strings.TrimLeft(w, "-"))
				}
				i++
			}
			continue
		}
		positional = append(positional, w)
	}
	switch {
	case len(positional) == 0:
		return []string{filesDirective}
	case cmd == "queue" && len(positional) == 1:
		return blockNames(positional[0], "queue", "")
	case cmd == "lb" && len(positional) == 1 && helpArgs[1] != "status" && helpArgs[1] != "sync":
		return blockNames(positional[0], "lb", "")
	case cmd == "lb" && len(positional) == 2 && helpArgs[1] != "status" && helpArgs[1] != "sync":
		return blockNames(positional[0], "server", positional[1])
	}
	return nil
}

func visibleCommands() []string {
	var out []string
	for _, n := range commandNames() {
		if !strings.HasPrefix(n, "_") {
			out = append(out, n)
		}
	}
	return out
}

// commandHelp is the -h text of `nbac ARGS...`: the one place a command's
// flags are listed, so completion reads them from there.
func commandHelp(args []string) string {
	var b bytes.Buffer
	c, ok := commands[args[0]]
	if !ok {
		return ""
	}
	c.run(append(append([]string{}, args[1:]...), "-h"), &b, &b)
	return b.String()
}

// optionLines yields the flag name and whether it takes a value, from the
// "  -name value  description" lines of the help text.
func optionLines(args []string, yield func(name string, valued bool)) {
	for _, l := range strings.Split(commandHelp(args), "\n") {
		if !strings.HasPrefix(l, "  -") {
			continue
		}
		left, _, _ := strings.Cut(strings.TrimSpace(l), "  ")
		name, arg, _ := strings.Cut(left, " ")
		yield(name, arg != "")
	}
}

func flagNames(args []string) []string {
	var out []string
	optionLines(args, func(name string, _ bool) { out = append(out, name) })
	return out
}

func valueFlags(args []string) map[string]bool {
	out := map[string]bool{}
	optionLines(args, func(name string, valued bool) { out[strings.TrimPrefix(name, "-")] = valued })
	return out
}

// flagValue completes a flag's value: files for those that name one.
func flagValue(cmd, name string) []string {
	if cmd == "graph" {
		switch name {
		case "format":
			return graphFormats
		case "cluster":
			return []string{"kind", "namespace", "none"}
		case "out-dir":
			return []string{filesDirective}
		}
	}
	switch name {
	case "var-file", "o", "socket":
		return []string{filesDirective}
	case "format":
		return []string{formatText, formatJSON, formatGitHub}
	}
	return nil
}

// blockNames lists the queue or load balancer names of the configuration
// at path (HCL or model.json), or the servers of load balancer lb. A
// configuration that does not compile offers nothing.
func blockNames(path, kind, lb string) []string {
	m := loadForCompletion(path)
	if m == nil {
		return nil
	}
	var out []string
	switch kind {
	case "queue":
		for _, q := range m.Queues {
			out = append(out, q.Name)
		}
	case "lb":
		for _, l := range m.LoadBalancers {
			out = append(out, l.Name)
		}
	case "server":
		for _, l := range m.LoadBalancers {
			if l.Name == lb || "be_"+l.Name == lb {
				for _, b := range l.Backends {
					out = append(out, b.Name)
				}
			}
		}
	}
	return out
}

func loadForCompletion(path string) *schema.Model {
	if strings.HasSuffix(path, ".json") && !strings.HasSuffix(path, ".hcl.json") {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		var m schema.Model
		if json.Unmarshal(data, &m) != nil {
			return nil
		}
		return &m
	}
	res := lang.Load(path, lang.Options{})
	return res.Model
}
