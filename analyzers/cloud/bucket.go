package cloud

import (
	"github.com/threatls/threatls/model"
)

// BucketPublic derives an S3 bucket's `public` from what its ACL, its policy and its public
// access block say: (public_acl && !ignores_public_acls) || (public_policy &&
// !restricts_public_buckets). Call it once everything that configures the bucket is read.
func BucketPublic(el *model.Element) {
	// public = (public_acl && !ignores_public_acls) || (public_policy && !restricts_public_buckets)
	part := func(grant, neutral string) (v *bool, a model.Attr) {
		g, n := el.Attrs.At(grant), el.Attrs.At(neutral)
		switch {
		case g.Origin != model.Unknown && g.Value == false:
			f := false
			return &f, g
		case n.Origin != model.Unknown && n.Value == true:
			f := false
			return &f, n
		case g.Origin == model.Unknown:
			return nil, g
		case n.Origin == model.Unknown:
			return nil, n
		}
		t := true
		return &t, g
	}
	acl, aclAt := part("public_acl", "ignores_public_acls")
	pol, polAt := part("public_policy", "restricts_public_buckets")
	set := func(v bool, a model.Attr, note string) {
		if a.Origin == model.Defaulted {
			el.Default("public", v, note)
			return
		}
		el.SetNote("public", v, a.Span, note)
	}
	switch {
	case acl != nil && *acl:
		set(true, aclAt, "the ACL grants public access")
	case pol != nil && *pol:
		set(true, polAt, "the bucket policy grants public access")
	case acl == nil:
		el.SetUnknown("public", aclAt.Span, aclAt.Note)
	case pol == nil:
		el.SetUnknown("public", polAt.Span, polAt.Note)
	default:
		// Not public: point at what says so, preferring what was read over defaults.
		a := aclAt
		if a.Origin == model.Defaulted {
			a = polAt
		}
		set(false, a, "neither the ACL nor a bucket policy grants public access")
	}
}
