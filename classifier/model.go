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
	// B holds the class biases.
	B []float32

	// index maps a feature bucket to its row in rows; 0 is the all-zero
	// row of features the model ignores (unseen or too rare in training).
	// A row is the bucket's IDF followed by one weight per class, as the
	// model file stores them.
	index []uint32
	rows  []float32

	// table is the model laid out for Classify: see scoreTable.
	table scoreTable
}

// maxClasses bounds the number of categories a model may have.
const maxClasses = 64

// modelMagic starts every model file.
const modelMagic = "PHANANH-CLS2"

// newModel builds a model from dense weights (dims rows of len(classes))
// and per-bucket IDFs, keeping only the buckets with a non-zero IDF.
func newModel(version string, classes []string, dims uint32, t float64, w, b, idf []float32) *Model {
	m := &Model{Version: version, Classes: classes, Dims: dims, Temperature: t, B: b, index: make([]uint32, dims)}
	k := len(classes)
	m.rows = make([]float32, k+1, (k+1)*1024) // row 0: zeros
	for u := range dims {
		if idf[u] == 0 {
			continue
		}
		m.index[u] = uint32(len(m.rows) / (k + 1))
		m.rows = append(m.rows, idf[u])
		m.rows = append(m.rows, w[int(u)*k:int(u)*k+k]...)
	}
	m.table = newScoreTable(m)
	return m
}

// row returns the IDF and class weights of row r of rows.
func (m *Model) row(r uint32) (float32, []float32) {
	k := len(m.Classes)
	i := int(r) * (k + 1)
	return m.rows[i], m.rows[i+1 : i+1+k]
}

// scores fills p with calibrated probabilities for fs and returns p.
func (m *Model) scores(fs *featureSet, p []float64) []float64 {
	p = m.logits(fs, p)
	return softmax(p, m.Temperature)
}

// logits fills z with the raw class scores of fs, as extractWords left it
// (feats without the character n-grams): its stored features, then its
// character n-grams, the order extract gives them in.
func (m *Model) logits(fs *featureSet, z []float64) []float64 {
	k := len(m.Classes)
	if cap(z) < k {
		z = make([]float64, k)
	}
	z = z[:k]
	hits := fs.hits[:0]
	for _, f := range fs.feats {
		if r, ok := m.table.find(f.bucket); ok {
			hits = append(hits, r)
		}
	}
	for f := range fs.grams(m.Dims) {
		if r, ok := m.table.find(f.bucket); ok {
			hits = append(hits, r)
		}
	}
	fs.hits = hits
	var accArr [maxClasses + 1]float32
	acc := accArr[:k+1] // sum of squared IDFs, then one score per class
	m.table.sum(acc, hits)
	s := unitScale(acc[0])
	for c := range z {
		z[c] = float64(m.B[c]) + float64(s*acc[c+1])
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
// rows of the buckets the model uses, in bucket order.
func (m *Model) MarshalBinary() ([]byte, error) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	w := bufio.NewWriter(zw)
	le := binary.LittleEndian
	k := len(m.Classes)
	w.WriteString(modelMagic)
	binary.Write(w, le, uint16(featureVersion))
	writeString(w, m.Version)
	binary.Write(w, le, uint32(k))
	for _, c := range m.Classes {
		writeString(w, c)
	}
	binary.Write(w, le, m.Dims)
	binary.Write(w, le, m.Temperature)
	binary.Write(w, le, m.B)
	binary.Write(w, le, uint32(len(m.rows)/(k+1)-1))
	for u, r := range m.index {
		if r != 0 {
			binary.Write(w, le, uint32(u))
			binary.Write(w, le, m.rows[int(r)*(k+1):int(r+1)*(k+1)])
		}
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
	m, err := decodeModel(bufio.NewReaderSize(zr, 1<<16))
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
	var fv uint16
	if err := binary.Read(r, le, &fv); err != nil {
		return nil, err
	}
	if fv != featureVersion {
		return nil, fmt.Errorf("trained on features v%d, this build extracts v%d: run phananh train", fv, featureVersion)
	}
	m := &Model{}
	var err error
	if m.Version, err = readString(r); err != nil {
		return nil, err
	}
	var k, n uint32
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
	if err := errors.Join(binary.Read(r, le, &m.Temperature), binary.Read(r, le, m.B), binary.Read(r, le, &n)); err != nil {
		return nil, err
	}
	if n >= m.Dims {
		return nil, errors.New("bad row count")
	}
	stride := int(k) + 1
	m.index = make([]uint32, m.Dims)
	m.rows = make([]float32, (int(n)+1)*stride)
	for i := 1; i <= int(n); i++ {
		var u uint32
		if err := binary.Read(r, le, &u); err != nil || u >= m.Dims || m.index[u] != 0 {
			return nil, errors.New("bad weight row")
		}
		m.index[u] = uint32(i)
		if err := binary.Read(r, le, m.rows[i*stride:(i+1)*stride]); err != nil {
			return nil, err
		}
	}
	m.table = newScoreTable(m)
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

// top3 returns the indexes of the three most probable classes (fewer if
// there are fewer classes), most probable first; ties keep class order.
func top3(p []float64) []int {
	var best [3]int
	n := 0
	for i, v := range p {
		j := min(n, 2)
		if n == 3 && v <= p[best[2]] {
			continue
		}
		for j > 0 && p[best[j-1]] < v {
			best[j] = best[j-1]
			j--
		}
		best[j] = i
		n = min(n+1, 3)
	}
	return best[:n]
}
