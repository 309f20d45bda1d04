package knowledge

import (
	"unsafe"

	"github.com/threatls/threatls/model"
)

// uintptrOf identifies an element by its address: elements are immutable and Go does not move
// heap objects, so the same element has the same address for as long as it is referenced.
func uintptrOf(e *model.Element) uintptr { return uintptr(unsafe.Pointer(e)) }
