package classifier

import "math/bits"

// scoreTable is the model laid out for Classify, derived from its rows
// when the model is built or loaded. Scoring a text takes a few hundred
// row lookups, one per feature occurrence, and cache misses made them the
// slowest part of Classify: so the bucket-to-row map is a bitmap with
// running counts (48 KB for 2^18 buckets instead of the 1 MB index), and
// the IDF is multiplied into the weights once here rather than once per
// occurrence. Every product and difference is rounded to float32 exactly
// as the per-occurrence code rounded it, and sum adds in the same order,
// so scores and explanations do not change by a bit.
type scoreTable struct {
	k     int       // classes
	used  []uint64  // one bit per bucket that has a row
	rank  []uint32  // rows of the buckets before each word of used
	rows  []float32 // per used bucket, in bucket order: IDF², then IDF×weight per class
	lifts []float32 // per used bucket: IDF×(weight − mean weight) per class
}

// newScoreTable lays out m's rows. A bucket whose IDF is 0 weighs
// nothing, so its rows are zeros.
func newScoreTable(m *Model) scoreTable {
	k := len(m.Classes)
	words := (m.Dims + 63) / 64
	t := scoreTable{k: k, used: make([]uint64, words), rank: make([]uint32, words)}
	n := uint32(0)
	for u, r := range m.index {
		if u%64 == 0 {
			t.rank[u/64] = n
		}
		if r == 0 {
			continue
		}
		t.used[u/64] |= 1 << (u % 64)
		n++
		t.rows = append(t.rows, make([]float32, k+1)...)
		t.lifts = append(t.lifts, make([]float32, k)...)
		if idf, w := m.row(r); idf != 0 {
			fillRow(t.rows[len(t.rows)-k-1:], t.lifts[len(t.lifts)-k:], idf, w)
		}
	}
	return t
}

// fillRow computes a bucket's score row and lift row from its IDF and
// class weights w.
func fillRow(row, lift []float32, idf float32, w []float32) {
	var sum float32
	for _, v := range w {
		sum += v
	}
	mean := sum / float32(len(w))
	row[0] = float32(idf * idf)
	for c, v := range w {
		row[1+c] = float32(idf * v)
		lift[c] = float32(idf * (v - mean))
	}
}

// find returns the number of bucket's row; false when the model ignores
// the bucket.
func (t *scoreTable) find(bucket uint32) (int32, bool) {
	word, bit := bucket/64, uint64(1)<<(bucket%64)
	if t.used[word]&bit == 0 {
		return 0, false
	}
	return int32(t.rank[word]) + int32(bits.OnesCount64(t.used[word]&(bit-1))), true
}

// sum adds the rows numbered hits into acc (len k+1): the squared IDFs
// into acc[0], the weighted class weights into acc[1:]. It goes column by
// column, four at a time, each in hit order: the same additions in the
// same order as adding one row after another, but independent of each
// other, so the processor overlaps them.
func (t *scoreTable) sum(acc []float32, hits []int32) {
	stride := t.k + 1
	c := 0
	for ; c+4 <= stride; c += 4 {
		a0, a1, a2, a3 := acc[c], acc[c+1], acc[c+2], acc[c+3]
		for _, h := range hits {
			i := int(h)*stride + c
			v := t.rows[i : i+4 : i+4]
			a0, a1, a2, a3 = a0+v[0], a1+v[1], a2+v[2], a3+v[3]
		}
		acc[c], acc[c+1], acc[c+2], acc[c+3] = a0, a1, a2, a3
	}
	for ; c < stride; c++ {
		a := acc[c]
		for _, h := range hits {
			a += t.rows[int(h)*stride+c]
		}
		acc[c] = a
	}
}

// lift returns how much more bucket weighs for class than on average,
// times its IDF; 0 when the model ignores it.
func (t *scoreTable) lift(bucket uint32, class int) float32 {
	r, ok := t.find(bucket)
	if !ok {
		return 0
	}
	return t.lifts[int(r)*t.k+class]
}
