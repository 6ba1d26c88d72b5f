package classifier

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
)

// Model is a multinomial logistic regression over hashed text features
// weighted by inverse document frequency and normalised to unit length,
// with a softmax temperature fitted so that its probabilities are
// calibrated. It is immutable once built and safe for concurrent use.
type Model struct {
	// Version names the model in Classification.Model ("local:<Version>").
	Version string
	// Classes are the category codes, in weight order.
	Classes []string
	// Dims is the size of the hashed feature space.
	Dims uint32
	// Temperature divides the logits before the softmax.
	Temperature float64
	// W holds Dims rows of len(Classes) weights; B the biases.
	W []float32
	B []float32
	// IDF weighs each feature bucket; 0 for features too rare in training,
	// which are ignored.
	IDF []float32
}

// maxClasses bounds the number of categories a model may have.
const maxClasses = 64

// modelMagic starts every model file.
const modelMagic = "PHANANH-CLS1"

// scores fills p with calibrated probabilities for fs and returns p.
func (m *Model) scores(fs *featureSet, p []float64) []float64 {
	k := len(m.Classes)
	p = m.logits(fs, p)
	return softmax(p[:k], m.Temperature)
}

// logits fills z with the raw class scores of fs.
func (m *Model) logits(fs *featureSet, z []float64) []float64 {
	k := len(m.Classes)
	if cap(z) < k {
		z = make([]float64, k)
	}
	z = z[:k]
	var accArr [maxClasses]float32
	acc := accArr[:k]
	var sumSq float32
	for _, f := range fs.feats {
		idf := m.IDF[f.bucket]
		if idf == 0 {
			continue
		}
		sumSq += idf * idf
		row := m.W[int(f.bucket)*k : int(f.bucket)*k+k]
		for c, w := range row {
			acc[c] += idf * w
		}
	}
	s := unitScale(sumSq)
	for c := range z {
		z[c] = float64(m.B[c]) + float64(s*acc[c])
	}
	return z
}

// unitScale normalises a document's feature vector (each occurrence
// weighted by its IDF) to unit length, so a one-line chat message and a
// long e-mail weigh alike.
func unitScale(sumSq float32) float32 {
	if sumSq == 0 {
		return 0
	}
	return float32(1 / math.Sqrt(float64(sumSq)))
}

// softmax turns z/t into probabilities in place.
func softmax(z []float64, t float64) []float64 {
	if t <= 0 {
		t = 1
	}
	max := math.Inf(-1)
	for _, v := range z {
		max = math.Max(max, v/t)
	}
	var sum float64
	for i, v := range z {
		z[i] = math.Exp(v/t - max)
		sum += z[i]
	}
	for i := range z {
		z[i] /= sum
	}
	return z
}

// MarshalBinary encodes the model: gzip of a little-endian header and the
// non-zero weight rows only.
func (m *Model) MarshalBinary() ([]byte, error) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	w := bufio.NewWriter(zw)
	le := binary.LittleEndian
	k := len(m.Classes)
	w.WriteString(modelMagic)
	writeString(w, m.Version)
	binary.Write(w, le, uint32(k))
	for _, c := range m.Classes {
		writeString(w, c)
	}
	binary.Write(w, le, m.Dims)
	binary.Write(w, le, m.Temperature)
	binary.Write(w, le, m.B)
	var rows []uint32
	for r := uint32(0); r < m.Dims; r++ {
		if m.IDF[r] != 0 {
			rows = append(rows, r)
		}
	}
	binary.Write(w, le, uint32(len(rows)))
	for _, r := range rows {
		binary.Write(w, le, r)
		binary.Write(w, le, m.IDF[r])
		binary.Write(w, le, m.W[int(r)*k:int(r)*k+k])
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeString(w *bufio.Writer, s string) {
	binary.Write(w, binary.LittleEndian, uint16(len(s)))
	w.WriteString(s)
}

// LoadModel decodes a model written by MarshalBinary.
func LoadModel(data []byte) (*Model, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("classifier: model: %w", err)
	}
	r := bufio.NewReaderSize(zr, 1<<16)
	m, err := decodeModel(r)
	if err != nil {
		return nil, fmt.Errorf("classifier: model: %w", err)
	}
	return m, nil
}

func decodeModel(r *bufio.Reader) (*Model, error) {
	magic := make([]byte, len(modelMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != modelMagic {
		return nil, errors.New("not a phananh classifier model")
	}
	le := binary.LittleEndian
	m := &Model{}
	var err error
	if m.Version, err = readString(r); err != nil {
		return nil, err
	}
	var k, rows uint32
	if err := binary.Read(r, le, &k); err != nil || k == 0 || k > maxClasses {
		return nil, errors.New("bad class count")
	}
	m.Classes = make([]string, k)
	for i := range m.Classes {
		if m.Classes[i], err = readString(r); err != nil {
			return nil, err
		}
	}
	if err := binary.Read(r, le, &m.Dims); err != nil || m.Dims == 0 || m.Dims > 1<<24 {
		return nil, errors.New("bad dimension")
	}
	m.B = make([]float32, k)
	if err := errors.Join(binary.Read(r, le, &m.Temperature), binary.Read(r, le, m.B), binary.Read(r, le, &rows)); err != nil {
		return nil, err
	}
	m.W = make([]float32, int(m.Dims)*int(k))
	m.IDF = make([]float32, m.Dims)
	for ; rows > 0; rows-- {
		var b uint32
		if err := binary.Read(r, le, &b); err != nil || b >= m.Dims {
			return nil, errors.New("bad weight row")
		}
		if err := binary.Read(r, le, &m.IDF[b]); err != nil {
			return nil, err
		}
		if err := binary.Read(r, le, m.W[int(b)*int(k):int(b)*int(k)+int(k)]); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func readString(r *bufio.Reader) (string, error) {
	var n uint16
	if err := binary.Read(r, binary.LittleEndian, &n); err != nil {
		return "", err
	}
	b := make([]byte, n)
	_, err := io.ReadFull(r, b)
	return string(b), err
}

// ranked returns class indexes ordered by descending probability.
func ranked(p []float64) []int {
	idx := make([]int, len(p))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return p[idx[a]] > p[idx[b]] })
	return idx
}
