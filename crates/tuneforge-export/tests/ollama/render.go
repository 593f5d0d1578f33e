// Renders an Ollama TEMPLATE the way Ollama does (Go's text/template over .System and
// .Messages), for tests/ollama.rs. Reads {"template", "system", "messages"} as JSON on
// stdin and prints the rendered prompt.
package main

import (
	"encoding/json"
	"os"
	"text/template"
)

type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type Input struct {
	Template string    `json:"template"`
	System   string    `json:"system"`
	Messages []Message `json:"messages"`
}

func main() {
	var in Input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		panic(err)
	}
	t, err := template.New("modelfile").Parse(in.Template)
	if err != nil {
		panic(err)
	}
	values := map[string]any{"System": in.System, "Messages": in.Messages}
	if err := t.Execute(os.Stdout, values); err != nil {
		panic(err)
	}
}
