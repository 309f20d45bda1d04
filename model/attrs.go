package model

import (
	"bytes"
	"encoding/json"
	"iter"
	"sort"
	"strings"
)

// Attrs are the attributes of an element by name, each name once.
//
// They are a list sorted by name, not a map: an element has from one to two dozen attributes
// (eight on average at 5,000 files), and a map of up to eight took a block of 896 bytes and
// a map of more two to four times that, where the list takes 96 bytes an attribute (and room
// for at most three more, see attrsGrowth). The attributes are the largest part of what a
// model keeps, held twice for the elements the model decorates (see clone): as a list, the
// model of 5,000 files keeps 181 MB live instead of 191, of 20,000 files 674 MB instead of 714
// (BenchmarkScale live-MB).
//
// An Attrs refers to its list as a slice does: a copy of an Attrs that is changed may change
// the other; make the copy with Clone. Reading an Attrs while another goroutine sets it is a
// race, as a map's would be: an element is not changed once it is in a model.
type Attrs struct {
	list []NamedAttr
}

// NamedAttr is an attribute with its name.
type NamedAttr struct {
	Name string
	Attr
}

// attrsGrowth is how many attributes a list grows by when it is full: growing it by half
// again, as append does, left a list of eleven with room for sixteen.
const attrsGrowth = 4

// AttrsOf returns the attributes of m.
func AttrsOf(m map[string]Attr) Attrs {
	if len(m) == 0 {
		return Attrs{}
	}
	list := make([]NamedAttr, 0, len(m))
	for k, a := range m {
		list = append(list, NamedAttr{Name: k, Attr: a})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	return Attrs{list: list}
}

// Len returns the number of attributes.
func (a Attrs) Len() int { return len(a.list) }

// find returns the index of name in the list, or where it would be inserted, and whether it
// is there.
func (a Attrs) find(name string) (int, bool) {
	lo, hi := 0, len(a.list)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if a.list[m].Name < name {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(a.list) && a.list[lo].Name == name
}

// Get returns the named attribute and whether it is present.
func (a Attrs) Get(name string) (Attr, bool) {
	if i, ok := a.find(name); ok {
		return a.list[i].Attr, true
	}
	return Attr{}, false
}

// At returns the named attribute, or the zero Attr (no origin, a nil Value) when there is none.
func (a Attrs) At(name string) Attr {
	v, _ := a.Get(name)
	return v
}

// Set adds the named attribute or replaces it.
func (a *Attrs) Set(name string, v Attr) {
	i, ok := a.find(name)
	if ok {
		a.list[i].Attr = v
		return
	}
	if len(a.list) == cap(a.list) {
		grown := make([]NamedAttr, len(a.list), len(a.list)+attrsGrowth)
		copy(grown, a.list)
		a.list = grown
	}
	a.list = append(a.list, NamedAttr{})
	copy(a.list[i+1:], a.list[i:])
	a.list[i] = NamedAttr{Name: name, Attr: v}
}

// Delete removes the named attribute, if present.
func (a *Attrs) Delete(name string) {
	if i, ok := a.find(name); ok {
		a.list = append(a.list[:i], a.list[i+1:]...)
		a.list[len(a.list):cap(a.list)][0] = NamedAttr{} // nothing kept alive past the end
	}
}

// All yields the attributes in the order of their names.
func (a Attrs) All() iter.Seq2[string, Attr] {
	return func(yield func(string, Attr) bool) {
		for _, n := range a.list {
			if !yield(n.Name, n.Attr) {
				return
			}
		}
	}
}

// Names returns the names of the attributes, sorted.
func (a Attrs) Names() []string {
	out := make([]string, len(a.list))
	for i, n := range a.list {
		out[i] = n.Name
	}
	return out
}

// Clone returns a copy of a that shares nothing with it, with room for extra more attributes.
func (a Attrs) Clone(extra int) Attrs {
	if len(a.list) == 0 && extra == 0 {
		return Attrs{}
	}
	list := make([]NamedAttr, len(a.list), len(a.list)+extra)
	copy(list, a.list)
	return Attrs{list: list}
}

// Equal reports whether a and b hold the same attributes: names, values, origins, places and
// notes.
func (a Attrs) Equal(b Attrs) bool {
	if len(a.list) != len(b.list) {
		return false
	}
	for i, x := range a.list {
		y := b.list[i]
		if x.Name != y.Name || x.Origin != y.Origin || x.Span != y.Span || x.Note != y.Note || !sameValue(x.Value, y.Value) {
			return false
		}
	}
	return true
}

// MarshalJSON writes the attributes as an object by name (in the order of the names, as
// encoding/json writes a map).
func (a Attrs) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, n := range a.list {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, err := json.Marshal(n.Name)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(n.Attr)
		if err != nil {
			return nil, err
		}
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// UnmarshalJSON reads an object of attributes by name (or null: none).
func (a *Attrs) UnmarshalJSON(b []byte) error {
	if strings.TrimSpace(string(b)) == "null" {
		*a = Attrs{}
		return nil
	}
	var m map[string]Attr
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*a = AttrsOf(m)
	return nil
}

// PackAttrs moves the attribute lists of els into one array, each closed at its end (see
// PackSlices). An analyzer sets an element's attributes one at a time as it builds it, among
// the garbage of its link, and a list has room for up to three more (attrsGrowth); a load's
// batch packed fits its elements' attributes exactly and together. Only for elements no one
// else reads yet: the engine packs a load's fresh elements before its model takes them.
func PackAttrs(els []*Element) {
	lists := make([][]NamedAttr, len(els))
	for i, e := range els {
		lists[i] = e.Attrs.list
	}
	PackSlices(lists)
	for i, e := range els {
		e.Attrs.list = lists[i]
	}
}

// PackSlices copies the slices of s into one array and points each at its part of it, closed
// at its end (an append to one copies it rather than writing over the next). Slices a batch
// of work keeps, made one by one among its garbage, leave the spans they were spread over
// half used once the garbage is collected; packed, they fill the array they are in. What a
// caller later replaces of them stays in the array until all of it is replaced, so the array
// never holds more than it was made with.
func PackSlices[T any](s [][]T) {
	n := 0
	for _, x := range s {
		n += len(x)
	}
	all := make([]T, 0, n)
	for i, x := range s {
		if len(x) > 0 {
			all = append(all, x...)
			s[i] = all[len(all)-len(x) : len(all) : len(all)]
		}
	}
}
