//go:build race

package lsp

// raceDetector is whether the tests run with the race detector, whose instrumentation
// allocates: bounds on what a request allocates hold without it.
const raceDetector = true
