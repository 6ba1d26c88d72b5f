package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"phananh/classifier"
	"phananh/store/sqlite"
)

// defaultModelPath is where the shipped model lives in the source tree;
// rebuilding the binary embeds it.
const defaultModelPath = "classifier/model.bin"

// runTrain is the "train" subcommand: it retrains the local model on the
// labelled data plus staff corrections, prints held-out metrics of the
// current and the new model, and writes the new model only if its
// held-out macro-F1 did not drop.
func runTrain(ctx context.Context, env *Env, args []string) error {
	fl := flag.NewFlagSet("train", flag.ContinueOnError)
	fl.SetOutput(env.Stderr)
	dataDir := fl.String("data", "classifier/data", "directory of labelled *.jsonl files (empty: the examples built into the binary)")
	out := fl.String("out", defaultModelPath, "where to write the model")
	if err := fl.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	shipped, err := trainingExamples(*dataDir)
	if err != nil {
		return err
	}
	corrections, err := loadCorrections(ctx, env)
	if err != nil {
		return err
	}
	train, held := classifier.Split(append(shipped, corrections...))
	fmt.Fprintf(env.Stdout, "examples: %d shipped, %d staff corrections; training on %d, held out %d\n",
		len(shipped), len(corrections), len(train), len(held))
	before, haveBefore := evalCurrent(ctx, env.Stdout, *out, held)
	m, err := classifier.Train(train, classifier.TrainOptions{Version: classifier.DataVersion(train)})
	if err != nil {
		return err
	}
	after, err := classifier.Evaluate(ctx, classifier.NewLocal(m, classifier.TuyHoaWards()), held)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "\nnew model %s (temperature %.3f), held-out:\n", m.Version, m.Temperature)
	after.Write(env.Stdout)
	if haveBefore && after.MacroF1 < before.MacroF1 {
		return fmt.Errorf("train: held-out macro-F1 dropped from %.4f to %.4f; %s left unchanged", before.MacroF1, after.MacroF1, *out)
	}
	b, err := m.MarshalBinary()
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	fmt.Fprintf(env.Stdout, "\nwrote %s (%d bytes); rebuild the binary to embed it\n", *out, len(b))
	return nil
}

func trainingExamples(dir string) ([]classifier.Example, error) {
	if dir == "" {
		return classifier.ShippedExamples()
	}
	ex, err := classifier.LoadExamples(os.DirFS(dir), ".")
	if err == nil && len(ex) == 0 {
		err = errors.New("no *.jsonl examples")
	}
	if err != nil {
		return nil, fmt.Errorf("train: %s: %w", dir, err)
	}
	return ex, nil
}

// evalCurrent scores the model now at path (or, when there is none, the
// one built into the binary) on the held-out examples.
func evalCurrent(ctx context.Context, w io.Writer, path string, held []classifier.Example) (classifier.Metrics, bool) {
	m, err := classifier.EmbeddedModel()
	if b, ferr := os.ReadFile(path); ferr == nil {
		m, err = classifier.LoadModel(b)
	}
	if err != nil {
		fmt.Fprintf(w, "current model: none usable (%v)\n", err)
		return classifier.Metrics{}, false
	}
	got, err := classifier.Evaluate(ctx, classifier.NewLocal(m, classifier.TuyHoaWards()), held)
	if err != nil {
		return classifier.Metrics{}, false
	}
	fmt.Fprintf(w, "\ncurrent model %s, held-out:\n", m.Version)
	got.Write(w)
	return got, true
}

// loadCorrections reads staff corrections from the configured store
// (PHANANH_MONGO_URI, or the SQLite database in PHANANH_DATA when one
// exists there); with no store there are none.
func loadCorrections(ctx context.Context, env *Env) ([]classifier.Example, error) {
	cfg, err := loadConfig(env.Getenv)
	if err != nil {
		return nil, err
	}
	if cfg.MongoURI == "" {
		if _, err := os.Stat(filepath.Join(cfg.DataDir, sqlite.DBFile)); err != nil {
			return []classifier.Example{}, nil // no database: a fresh checkout trains on the shipped data
		}
	}
	st, err := openStore(ctx, cfg, slog.New(slog.NewTextHandler(env.Stderr, nil)))
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	defer st.Close()
	ex, err := classifier.Corrections(ctx, st, st)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	return ex, nil
}
