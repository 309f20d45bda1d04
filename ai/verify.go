package ai

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/knowledge"
	"github.com/threatls/threatls/model"
)

// Fix is an edit the model proposed, and whether threatls verified it.
type Fix struct {
	Verified bool `json:"verified"`
	// Reason says why the fix is not offered, when it is not verified.
	Reason string `json:"reason,omitempty"`
	File   string `json:"file"`
	Line   int    `json:"line"` // one-based first line of Diff
	Diff   string `json:"diff,omitempty"`
	// Edit is the change to apply, set only when verified.
	Edit *model.TextEdit `json:"edit,omitempty"`
}

// verify turns the model's block back into the user's text (placeholders restored) and
// checks it with Verify.
func (s *Service) verify(ctx context.Context, snap *engine.Snapshot, ecfg engine.Config, f model.Finding, req *Request, proposed string) Fix {
	blk := req.Block
	fx := Fix{File: blk.File, Line: blk.Line}
	restored, err := req.redactor.Restore(proposed)
	if err != nil {
		fx.Reason = err.Error()
		return fx
	}
	if !strings.HasSuffix(restored, "\n") {
		restored += "\n"
	}
	edit := model.TextEdit{File: blk.File, Start: blk.Start, End: blk.End, NewText: restored}
	return verify(ctx, snap, f, edit, func(file string, text []byte) (*engine.Snapshot, error) {
		return s.scratch.try(ctx, s.eng, snap, ecfg, f.Fingerprint, file, text)
	})
}

// scratchIdle is how long a scratch copy of a workspace is kept for the next verification.
const scratchIdle = 30 * time.Second

// scratchCache keeps one scratch copy of the last snapshot verified against: the first
// verification on a snapshot pays a scan of it, the next ones a rebuild each (an editor asks
// about several findings of one state of the workspace; scan --ai about all of them). The
// copy — the workspace's texts in a private temporary directory — is removed after
// scratchIdle without use, when another snapshot comes, and by Service.Close.
type scratchCache struct {
	mu    sync.Mutex
	snap  *engine.Snapshot
	sc    *engine.Scratch
	base  map[string]bool // the fingerprints of the copy's own findings, before any try
	timer *time.Timer
}

// try evaluates the copy of snap with file's text replaced. The copy must reproduce the
// finding being fixed (fingerprint) first: it does not when the finding rests on a document
// without a file (an untitled buffer), which the copy cannot hold.
func (c *scratchCache) try(ctx context.Context, eng *engine.Engine, snap *engine.Snapshot, ecfg engine.Config, fingerprint, file string, text []byte) (*engine.Snapshot, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.snap != snap || c.sc == nil {
		c.closeLocked()
		sc, err := eng.NewScratch(ctx, snap, ecfg, nil)
		if err != nil {
			return nil, err
		}
		c.snap, c.sc, c.base = snap, sc, map[string]bool{}
		for _, f := range sc.Snapshot().Findings() {
			c.base[f.Fingerprint] = true
		}
	}
	if !c.base[fingerprint] {
		return nil, fmt.Errorf("the workspace's copy does not reproduce the finding (is a document it rests on unsaved, without a file?)")
	}
	if c.timer != nil {
		c.timer.Stop()
	}
	c.timer = time.AfterFunc(scratchIdle, c.close)
	return c.sc.Try(file, text)
}

func (c *scratchCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closeLocked()
}

func (c *scratchCache) closeLocked() {
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
	if c.sc != nil {
		c.sc.Close()
	}
	c.sc, c.snap = nil, nil
}

// Verify applies edit to a copy of the workspace of snap, re-parses and re-evaluates the
// whole of it, and accepts the edit as a fix of f only if the edited file still parses, f is
// gone (not merely suppressed) and no finding of f's severity or higher appears anywhere.
// Otherwise Reason says which check failed. The diff is given either way.
func Verify(ctx context.Context, eng *engine.Engine, snap *engine.Snapshot, ecfg engine.Config, f model.Finding, edit model.TextEdit) Fix {
	return verify(ctx, snap, f, edit, func(file string, text []byte) (*engine.Snapshot, error) {
		return eng.WhatIf(ctx, snap, ecfg, file, text)
	})
}

// verify is Verify with the what-if evaluation given.
func verify(ctx context.Context, snap *engine.Snapshot, f model.Finding, edit model.TextEdit, whatIf func(string, []byte) (*engine.Snapshot, error)) Fix {
	fx := Fix{File: edit.File}
	file := snap.File(edit.File)
	if file == nil {
		fx.Reason = "the fix edits " + edit.File + ", which the workspace does not have"
		return fx
	}
	after, err := engine.ApplyEdits(file.Text, []model.TextEdit{edit})
	if err != nil {
		fx.Reason = "the fix does not apply: " + err.Error()
		return fx
	}
	fx.Diff, fx.Line = engine.Hunk(file.Text, after, 2)
	if fx.Diff == "" {
		fx.Reason = "the proposed block is the block as it is"
		return fx
	}
	if strings.Count(string(after), "threatls:ignore") > strings.Count(string(file.Text), "threatls:ignore") {
		fx.Reason = "the proposal suppresses the finding instead of fixing it"
		return fx
	}
	next, err := whatIf(edit.File, after)
	if err != nil {
		fx.Reason = "the fix could not be checked: " + err.Error()
		return fx
	}
	if ctx.Err() != nil {
		fx.Reason = "the check was cancelled"
		return fx
	}
	before := map[string]bool{}
	parsed := true
	for _, x := range snap.Findings() {
		before[x.Fingerprint] = true
		if x.ThreatID == knowledge.MetaParse && x.Span.File == edit.File {
			parsed = false
		}
	}
	nf := next.File(edit.File)
	switch {
	case nf == nil || !nf.Analyzed:
		fx.Reason = "with the fix, " + edit.File + " is no longer analysed"
		return fx
	}
	for _, x := range next.Findings() {
		if x.ThreatID == knowledge.MetaParse && x.Span.File == edit.File && parsed {
			fx.Reason = fmt.Sprintf("with the fix, %s no longer parses (%s)", edit.File, oneLine(x.Message, 120))
			return fx
		}
	}
	for _, x := range next.Findings() {
		if x.Fingerprint == f.Fingerprint {
			if x.Suppressed != nil {
				fx.Reason = "the fix suppresses the finding instead of removing it"
			} else {
				fx.Reason = "with the fix, the finding is still there"
			}
			return fx
		}
	}
	for _, x := range next.Findings() {
		if x.Suppressed != nil || before[x.Fingerprint] || x.Severity.Rank() < f.Severity.Rank() {
			continue
		}
		fx.Reason = fmt.Sprintf("the fix removes the finding but opens %s (%s) at %s: %s", x.ThreatID, x.Severity, x.Span, oneLine(x.Message, 140))
		return fx
	}
	fx.Verified = true
	fx.Edit = &edit
	return fx
}
