package classifier

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// Example is one labelled report text. Ward is set only when the text
// names a ward.
type Example struct {
	Text     string `json:"text"`
	Category string `json:"category"`
	Ward     string `json:"ward,omitempty"`
}

// Category codes, as the city configuration defines them.
const (
	CatWaste      = "rac_thai"
	CatDrainage   = "thoat_nuoc"
	CatPollution  = "o_nhiem"
	CatNoise      = "tieng_on"
	CatEncroach   = "lan_chiem"
	CatBuilding   = "xay_dung"
	CatTraffic    = "giao_thong"
	CatLighting   = "chieu_sang"
	CatTrees      = "cay_xanh"
	CatAdverts    = "quang_cao"
	CatOther      = "khac"
	heldOutPct    = 20
	heldOutModulo = 100
)

// Categories returns the category codes the local model predicts, in the
// model's class order.
func Categories() []string {
	return []string{CatWaste, CatDrainage, CatPollution, CatNoise, CatEncroach, CatBuilding,
		CatTraffic, CatLighting, CatTrees, CatAdverts, CatOther}
}

// textKey identifies a text up to case, Unicode form, accents and spacing,
// so that near-copies of one report land on the same side of the split.
func textKey(text string) uint64 {
	sum := sha256.Sum256([]byte(strings.Join(strings.Fields(Fold(text)), " ")))
	return binary.BigEndian.Uint64(sum[:8])
}

// HeldOut reports whether text belongs to the fixed held-out split: 20% of
// texts, chosen by a hash of the folded text, never used for training.
func HeldOut(text string) bool { return textKey(text)%heldOutModulo < heldOutPct }

// Split divides examples into the training part and the fixed held-out
// part (see HeldOut).
func Split(examples []Example) (train, heldOut []Example) {
	for _, e := range examples {
		if HeldOut(e.Text) {
			heldOut = append(heldOut, e)
		} else {
			train = append(train, e)
		}
	}
	return train, heldOut
}

// DataVersion names a model after its feature extraction and the examples
// it was trained on, so the same code and data always give the same
// version (and, with Train, the same bytes).
func DataVersion(ex []Example) string {
	h := sha256.New()
	for _, e := range ex {
		fmt.Fprintf(h, "%s\x00%s\x00%s\n", e.Text, e.Category, e.Ward)
	}
	return fmt.Sprintf("v%d-%x", featureVersion, h.Sum(nil)[:4])
}

// ReadExamples parses JSON lines of examples. Blank lines are skipped; a
// line without text or category is an error naming its line number.
func ReadExamples(data []byte, name string) ([]Example, error) {
	var out []Example
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var e Example
		if err := json.Unmarshal(line, &e); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, n, err)
		}
		if strings.TrimSpace(e.Text) == "" || e.Category == "" {
			return nil, fmt.Errorf("%s:%d: text and category are required", name, n)
		}
		out = append(out, e)
	}
	return out, sc.Err()
}

// LoadExamples reads every *.jsonl file in dir of fsys, in name order.
func LoadExamples(fsys fs.FS, dir string) ([]Example, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.jsonl"))
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	var out []Example
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		ex, err := ReadExamples(b, n)
		if err != nil {
			return nil, err
		}
		out = append(out, ex...)
	}
	return out, nil
}
