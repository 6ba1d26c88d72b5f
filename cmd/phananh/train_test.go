package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"phananh/classifier"
	"phananh/feedback"
	"phananh/store/sqlite"
)

// writeData writes every 6th shipped example to a data directory, with
// the categories of the training split shifted by one when garble is set
// (held-out labels stay right, as when bad corrections come in).
func writeData(t *testing.T, garble bool) (string, []classifier.Example) {
	t.Helper()
	all, err := classifier.ShippedExamples()
	if err != nil {
		t.Fatal(err)
	}
	cats := classifier.Categories()
	var ex []classifier.Example
	var buf bytes.Buffer
	for i := 0; i < len(all); i += 6 {
		e := all[i]
		if garble && !classifier.HeldOut(e.Text) {
			e.Category = cats[(slices.Index(cats, e.Category)+1)%len(cats)]
		}
		ex = append(ex, e)
		b, _ := json.Marshal(e)
		buf.Write(append(b, '\n'))
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "all.jsonl"), buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir, ex
}

func writeModel(t *testing.T, ex []classifier.Example) string {
	t.Helper()
	train, _ := classifier.Split(ex)
	m, err := classifier.Train(train, classifier.TrainOptions{Folds: 2})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := m.MarshalBinary()
	path := filepath.Join(t.TempDir(), "model.bin")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestTrainReplacesAWorseModel(t *testing.T) {
	_, garbled := writeData(t, true)
	out := writeModel(t, garbled)
	dir, ex := writeData(t, false)
	stdout, err := runCmd(t, "", "train", "--data", dir, "--out", out)
	if err != nil {
		t.Fatalf("train: %v\n%s", err, stdout)
	}
	for _, want := range []string{"current model", "new model", "macro-F1", "wrote"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	b, _ := os.ReadFile(out)
	m, err := classifier.LoadModel(b)
	if err != nil {
		t.Fatal(err)
	}
	train, _ := classifier.Split(ex)
	if m.Version != classifier.DataVersion(train) {
		t.Fatalf("model %s was not replaced by the one trained on %s", m.Version, classifier.DataVersion(train))
	}
}

func TestTrainRefusesWhenHeldOutMacroF1Drops(t *testing.T) {
	_, good := writeData(t, false)
	out := writeModel(t, good)
	before, _ := os.ReadFile(out)
	dir, _ := writeData(t, true)
	stdout, err := runCmd(t, "", "train", "--data", dir, "--out", out)
	if err == nil || !strings.Contains(err.Error(), "dropped") {
		t.Fatalf("train on garbled labels: err %v\n%s", err, stdout)
	}
	after, _ := os.ReadFile(out)
	if !bytes.Equal(before, after) {
		t.Fatal("the model file changed although training was refused")
	}
}

func TestTrainReadsStaffCorrectionsFromTheStore(t *testing.T) {
	ctx := context.Background()
	dataDir := t.TempDir()
	st, err := sqlite.Open(ctx, dataDir)
	if err != nil {
		t.Fatal(err)
	}
	r := &feedback.Report{ID: "r1", Code: "PA-1", Text: "mấy con chó thả rông cắn người ở công viên", Category: "rac_thai",
		Status: feedback.StatusReceived, Channel: feedback.ChannelWeb, CreatedAt: time.Now(), UpdatedAt: time.Now()}
	stored, _, _, err := st.CreateReport(ctx, r, []feedback.Event{{Type: feedback.EventCreated, ReportID: "r1", Actor: feedback.ActorCitizen, At: time.Now()}})
	if err != nil {
		t.Fatal(err)
	}
	stored.Category = "khac"
	if _, err := st.UpdateReport(ctx, stored, []feedback.Event{{Type: feedback.EventRecategorized, ReportID: "r1", Actor: "user:u1", At: time.Now(),
		Data: map[string]string{"category": "khac", "old_category": "rac_thai", "old_ward": ""}}}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	dir, _ := writeData(t, false)
	out := filepath.Join(t.TempDir(), "model.bin")
	var stdout bytes.Buffer
	env := &Env{Getenv: func(k string) string {
		if k == "PHANANH_DATA" {
			return dataDir
		}
		return ""
	}, Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: io.Discard}
	err = run(ctx, []string{"train", "--data", dir, "--out", out}, env)
	if !strings.Contains(stdout.String(), "1 staff corrections") {
		t.Fatalf("train did not read the correction (err %v):\n%s", err, stdout.String())
	}
}
