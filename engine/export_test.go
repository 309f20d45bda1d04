package engine

// SetLoadBatch sets how many files a first load reads before it makes their model
// (loadBatch), and returns what restores it.
func SetLoadBatch(n int) (restore func()) {
	was := loadBatch
	loadBatch = n
	return func() { loadBatch = was }
}
