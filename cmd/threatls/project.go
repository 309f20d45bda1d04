package main

import (
	"os"
	"path/filepath"
)

// projectRoot returns the root of the project that holds dir: the nearest directory, dir or
// a parent, with a threatls.yaml or a .git; dir itself when there is none. A file given alone
// is analysed with the whole of its project, as it is when the project is scanned.
func projectRoot(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		for _, marker := range []string{"threatls.yaml", ".threatls.yaml", ".git"} {
			if _, err := os.Stat(filepath.Join(d, marker)); err == nil {
				return d
			}
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

// displayRoot is how a root is shown: relative to the current directory when path was
// relative, absolute otherwise.
func displayRoot(path, root string) string {
	if filepath.IsAbs(path) {
		return root
	}
	wd, err := os.Getwd()
	if err != nil {
		return root
	}
	if rel, err := filepath.Rel(wd, root); err == nil {
		return rel
	}
	return root
}
