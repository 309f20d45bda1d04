// Command scalecorpus writes the scale corpus of the engine's BenchmarkScale and of
// BenchmarkProtocol (engine/corpus.Scale: half Terraform stacks, half Kubernetes manifests in
// a namespace per stack, or all in one) to a directory, for measuring the command line on it
// (measure/cli.sh). Usage: go run ./measure/scalecorpus DIR FILES [one-namespace].
package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/threatls/threatls/engine/corpus"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: scalecorpus DIR FILES [one-namespace]")
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[2])
	if err != nil || n <= 0 {
		fmt.Fprintf(os.Stderr, "scalecorpus: %q is not a number of files\n", os.Args[2])
		os.Exit(2)
	}
	oneNS := len(os.Args) > 3 && os.Args[3] == "one-namespace"
	stats, err := corpus.Write(os.Args[1], corpus.Scale(n, oneNS))
	if err != nil {
		fmt.Fprintln(os.Stderr, "scalecorpus:", err)
		os.Exit(1)
	}
	fmt.Println(stats)
}
