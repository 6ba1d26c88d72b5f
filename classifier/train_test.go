package classifier

import (
	"bytes"
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"phananh/feedback"
)

// fixture is a few dozen hand-written reports for fast training tests.
var fixture = []Example{
	{"rác không ai dọn 3 ngày rồi, bốc mùi", CatWaste, ""},
	{"rac ko ai don, hoi qua", CatWaste, ""},
	{"bãi rác tự phát ở đầu hẻm phường 5", CatWaste, "p5"},
	{"xe thu gom rác không tới", CatWaste, ""},
	{"cống nghẹt, nước ngập sau mưa", CatDrainage, ""},
	{"cong nghet nuoc ngap lut ca duong", CatDrainage, ""},
	{"mưa xong là ngập, cống thoát nước bị tắc", CatDrainage, ""},
	{"nắp cống bị vỡ, nước thải tràn", CatDrainage, ""},
	{"karaoke hát tới 2 giờ sáng", CatNoise, ""},
	{"tiếng ồn công trình ban đêm không ngủ được", CatNoise, ""},
	{"hàng xóm mở loa to quá", CatNoise, ""},
	{"karaoke keo ca dem on qua", CatNoise, ""},
	{"đèn đường hỏng cả tuần nay", CatLighting, ""},
	{"den duong khong sang, toi thui", CatLighting, ""},
	{"bóng đèn chiếu sáng bị tắt", CatLighting, ""},
	{"cột đèn không sáng ở phường 3", CatLighting, "p3"},
	{"cây xanh ngã đè lên dây điện", CatTrees, ""},
	{"cay bi gay canh sau bao", CatTrees, ""},
	{"cây cổ thụ nghiêng sắp đổ", CatTrees, ""},
	{"cần cắt tỉa cành cây", CatTrees, ""},
}

func trainFixture(t testing.TB) *Model {
	t.Helper()
	m, err := Train(fixture, TrainOptions{Dims: 1 << 14, Epochs: 15, Folds: 2})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTrainIsDeterministicAndOrderFree(t *testing.T) {
	a, err := trainFixture(t).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	shuffled := slices.Clone(fixture)
	rand.New(rand.NewPCG(7, 7)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	m, err := Train(shuffled, TrainOptions{Dims: 1 << 14, Epochs: 15, Folds: 2})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := m.MarshalBinary()
	if !bytes.Equal(a, b) {
		t.Fatal("training the same examples in another order gave different model bytes")
	}
}

func TestModelRoundTrip(t *testing.T) {
	m := trainFixture(t)
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	got, err := LoadModel(b)
	if err != nil {
		t.Fatal(err)
	}
	again, err := got.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != m.Version || got.Temperature != m.Temperature || !slices.Equal(got.Classes, m.Classes) ||
		!slices.Equal(got.B, m.B) || !slices.Equal(got.index, m.index) || !slices.Equal(got.rows, m.rows) || !bytes.Equal(b, again) {
		t.Fatal("decoded model differs from the encoded one")
	}
	if _, err := LoadModel([]byte("not a model")); err == nil {
		t.Fatal("garbage decoded as a model")
	}
}

func TestTrainRejectsUnknownCategory(t *testing.T) {
	if _, err := Train([]Example{{Text: "abc def", Category: "nope"}}, TrainOptions{}); err == nil {
		t.Fatal("unknown category accepted")
	}
}

func TestClassifyExplainsAndRanks(t *testing.T) {
	c := NewLocal(trainFixture(t), TuyHoaWards())
	got, err := c.Classify(context.Background(), feedback.ClassifyInput{Text: "Đèn đường ở P.3 không sáng mấy hôm nay"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Category != CatLighting || got.Ward != "p3" || got.WardSpan != "P.3" || got.WardSource != SourceText {
		t.Fatalf("got %+v, want chieu_sang in p3 from the text", got)
	}
	if len(got.Alternatives) != 3 || got.Alternatives[0].Category != got.Category ||
		got.Alternatives[0].Confidence != got.Confidence || got.Alternatives[1].Confidence > got.Confidence {
		t.Fatalf("alternatives %+v not ranked top-3", got.Alternatives)
	}
	if len(got.Features) == 0 || len(got.Features) > topFeatures {
		t.Fatalf("features %v", got.Features)
	}
	if got.Model != "local:v1" {
		t.Fatalf("model %q", got.Model)
	}
	if _, err := c.Classify(context.Background(), feedback.ClassifyInput{Text: "  "}); feedback.ErrorCode(err) != feedback.EINVALID {
		t.Fatalf("empty text: %v, want EINVALID", err)
	}
}

func TestEmbeddedModelLoads(t *testing.T) {
	m, err := EmbeddedModel()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.Classes, Categories()) || m.Temperature <= 0 {
		t.Fatalf("embedded model: classes %v temperature %v", m.Classes, m.Temperature)
	}
}

func TestClassifyConcurrently(t *testing.T) {
	c := NewLocal(trainFixture(t), TuyHoaWards())
	want, _ := c.Classify(context.Background(), feedback.ClassifyInput{Text: fixture[0].Text})
	errs := make(chan string, 8)
	for g := range 8 {
		go func() {
			for i := range 50 {
				got, err := c.Classify(context.Background(), feedback.ClassifyInput{Text: fixture[(g+i)%len(fixture)].Text})
				if err != nil || got.Category == "" {
					errs <- "failed"
					return
				}
				if (g+i)%len(fixture) == 0 && (got.Category != want.Category || got.Confidence != want.Confidence) {
					errs <- "different answer under concurrency"
					return
				}
			}
			errs <- ""
		}()
	}
	for range 8 {
		if e := <-errs; e != "" {
			t.Fatal(e)
		}
	}
}
