package dockerfile

import (
	"regexp"
	"strings"

	"github.com/threatls/threatls/model"
)

var (
	// pipeShell finds a download piped into a shell or an interpreter (curl … | sh, wget -O- …
	// | sudo bash, curl … | python3 -) or run by one (sh -c "$(curl …)", bash <(curl …)).
	pipeShell = regexp.MustCompile(`\b(curl|wget)\b[^|;&]*\|\s*(sudo\s+(-\S+\s+)*)?(env\s+\S+\s+)*((ba|z|da|k)?sh|python[0-9.]*|perl|ruby|node)\b|\b(ba|z|da|k)?sh\s+(-c\s+)?["']?\$\(\s*(curl|wget)\b|\b(ba|z|da|k)?sh\s+<\(\s*(curl|wget)\b`)
	// sudo finds sudo used as a command.
	sudo = regexp.MustCompile(`(^|[;&|(]\s*|\bthen\s+|\bdo\s+)sudo\s`)
	// aptInstall finds an apt-get or apt install.
	aptInstall = regexp.MustCompile(`\bapt(-get)?\s+(-\S+\s+)*install\b`)
	// noRecommends finds what turns off recommended packages.
	noRecommends = regexp.MustCompile(`--no-install-recommends|APT::Install-Recommends=("?)(false|0)`)
	// commands splits a shell line into its commands.
	commands = regexp.MustCompile(`&&|;|\|\|`)
)

// runText is what a RUN executes: its arguments and the bodies of its here-documents.
func (x *extractor) runText(ins *instruction) string {
	if len(ins.heredocs) == 0 {
		return ins.args
	}
	return string(x.src[ins.span.Start.Offset:ins.span.End.Offset])
}

// run records what a RUN instruction does that a threat is about.
func (x *extractor) run(s *stage, ins *instruction) {
	text := x.runText(ins)
	if x.pipe == nil {
		if m := pipeShell.FindString(text); m != "" {
			x.pipe, x.pipeWhat = ins, strings.Join(strings.Fields(m), " ")
		}
	}
	if x.sudo == nil && sudo.MatchString(strings.TrimSpace(text)) {
		x.sudo = ins
	}
	if s.apt == nil {
		for _, cmd := range commands.Split(text, -1) {
			if aptInstall.MatchString(cmd) && !noRecommends.MatchString(cmd) {
				s.apt = ins
				break
			}
		}
	}
}

// runAttrs sets the attributes of what the RUN instructions do: pipe_to_shell and uses_sudo
// (in any stage: a build stage's download runs with the build's access), apt_recommends (in
// the stages the image is made of).
func (x *extractor) runAttrs(el *model.Element, last *stage) {
	if x.pipe != nil {
		el.SetNote("pipe_to_shell", true, x.firstLine(x.pipe.span), "RUN runs what "+x.pipeWhat+" downloads, unverified")
	} else {
		el.Default("pipe_to_shell", false, "no RUN pipes a download into a shell")
	}
	if x.sudo != nil {
		el.SetNote("uses_sudo", true, x.firstLine(x.sudo.span), "RUN uses sudo")
	} else {
		el.Default("uses_sudo", false, "no RUN uses sudo")
	}
	for s := last; s != nil; s = s.parent {
		if s.apt != nil {
			el.SetNote("apt_recommends", true, x.firstLine(s.apt.span), "apt installs the packages' recommendations too: no --no-install-recommends")
			return
		}
	}
	el.Default("apt_recommends", false, "no apt install without --no-install-recommends in the image's stages")
}
