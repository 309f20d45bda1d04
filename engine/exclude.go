package engine

// DefaultExclude are the directory names a scan never descends into unless the user says
// otherwise (setting `exclude`): version control and tool state, dependencies (node_modules,
// vendor, virtual environments) and build output (target, bin/obj, dist, build). Sources
// there are someone else's, or a copy of the workspace's own; files of infrastructure
// formats in them are not read either, but for a directory the workspace's own files call
// (a Terraform module vendored under vendor/): Load reads it, as Terraform applies it. Generated and minified source files elsewhere are
// skipped one by one, with the reason analyzers.SkipReason gives.
var DefaultExclude = []string{
	".git", ".hg", ".svn", ".terraform", ".terragrunt-cache",
	"node_modules", "bower_components", "vendor", ".venv", "venv", "__pycache__", "site-packages",
	".tox", ".mypy_cache", ".pytest_cache", ".gradle", ".m2", ".next", ".nuxt", ".svelte-kit",
	"target", "bin", "obj", "dist", "coverage",
}
