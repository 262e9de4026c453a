// gotemplate-referee: the test referee for ApplicationSet goTemplate. It evaluates templates exactly as Argo CD's
// ApplicationSet controller does — Go text/template with the Sprig function library (minus env, expandenv and
// getHostByName) plus `normalize` — so the TypeScript evaluator (src/core/discovery/goTemplate.ts) is checked
// against the real libraries (test/unit/discovery/goTemplate.referee.test.ts).
//
// stdin: a JSON array of {"template": string, "data": any, "options": [string]}; stdout: a JSON array of
// {"out": string} or {"error": string}, in the same order.
package main

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
)

type job struct {
	Template string      `json:"template"`
	Data     interface{} `json:"data"`
	Options  []string    `json:"options"`
}

type result struct {
	Out   *string `json:"out,omitempty"`
	Error string  `json:"error,omitempty"`
}

var invalidDNSNameChars = regexp.MustCompile("[^-a-z0-9.]")

// normalize as Argo CD documents it: lower case, invalid DNS name characters to '-', at most 253 characters,
// leading and trailing '-' and '.' trimmed.
func normalize(name string) string {
	name = strings.ToLower(name)
	name = invalidDNSNameChars.ReplaceAllString(name, "-")
	if len(name) > 253 {
		name = name[:253]
	}
	return strings.Trim(name, "-.")
}

func funcs() template.FuncMap {
	f := sprig.TxtFuncMap()
	delete(f, "env")
	delete(f, "expandenv")
	delete(f, "getHostByName")
	f["normalize"] = normalize
	return f
}

func main() {
	var jobs []job
	if err := json.NewDecoder(os.Stdin).Decode(&jobs); err != nil {
		os.Stderr.WriteString("gotemplate-referee: " + err.Error() + "\n")
		os.Exit(2)
	}
	out := make([]result, len(jobs))
	for i, j := range jobs {
		t, err := template.New("t").Option(j.Options...).Funcs(funcs()).Parse(j.Template)
		if err != nil {
			out[i] = result{Error: err.Error()}
			continue
		}
		var b bytes.Buffer
		if err := t.Execute(&b, j.Data); err != nil {
			out[i] = result{Error: err.Error()}
			continue
		}
		s := b.String()
		out[i] = result{Out: &s}
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		os.Exit(2)
	}
}
