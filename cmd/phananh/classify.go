package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"phananh/classifier"
	"phananh/classifier/llm"
	"phananh/feedback"
)

// unitRouter resolves the unit for a category in a ward; *city.City
// implements it.
type unitRouter interface {
	Route(category, ward string) (unit string, matched bool)
}

// classifyCity returns the city's wards, with their polygons, for the
// gazetteer, and the city as the router (PHANANH_CITY, or the embedded
// Tuy Hòa demo).
func classifyCity(cfg *Config) ([]classifier.Ward, unitRouter, error) {
	c, err := loadCity(cfg)
	if err != nil {
		return nil, nil, err
	}
	wards := classifierWards(c)
	for i := range wards {
		if wards[i].Polygon == nil {
			wards[i].Polygon = classifier.Rings(c.WardPolygons(wards[i].ID))
		}
	}
	return wards, c, nil
}

// classifyLine is one input line of `phananh classify`.
type classifyLine struct {
	Text string   `json:"text"`
	Lat  *float64 `json:"lat"`
	Lng  *float64 `json:"lng"`
}

// classifyResult is one output line of `phananh classify`.
type classifyResult struct {
	Category     string                 `json:"category"`
	Confidence   float64                `json:"confidence"`
	Ward         *string                `json:"ward"`
	WardSpan     string                 `json:"ward_span,omitempty"`
	WardSource   string                 `json:"ward_source,omitempty"`
	Unit         string                 `json:"unit"`
	Alternatives []feedback.Alternative `json:"alternatives"`
	Features     []string               `json:"features,omitempty"`
	Model        string                 `json:"model"`
}

// runClassify is the "classify" subcommand: JSON lines in, one JSON line
// out per input line, in order; or, with --eval FILE, metrics on labelled
// lines.
func runClassify(ctx context.Context, env *Env, args []string) error {
	fl := flag.NewFlagSet("classify", flag.ContinueOnError)
	fl.SetOutput(env.Stderr)
	eval := fl.String("eval", "", "evaluate on labelled JSON lines {text, category, ward} and print metrics")
	if err := fl.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	cfg, err := loadConfig(env.Getenv)
	if err != nil {
		return err
	}
	wards, router, err := classifyCity(cfg)
	if err != nil {
		return err
	}
	c, err := newClassifier(cfg, wards, slog.New(slog.NewTextHandler(env.Stderr, nil)))
	if err != nil {
		return err
	}
	if *eval != "" {
		return evalFile(ctx, env.Stdout, c, *eval)
	}
	return classifyStream(ctx, env.Stdin, env.Stdout, c, router)
}

func evalFile(ctx context.Context, w io.Writer, c feedback.Classifier, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("classify: %w", err)
	}
	ex, err := classifier.ReadExamples(b, path)
	if err != nil {
		return fmt.Errorf("classify: %w", err)
	}
	m, err := classifier.Evaluate(ctx, c, ex)
	if err != nil {
		return fmt.Errorf("classify: %w", err)
	}
	m.Write(w)
	return nil
}

// classifyStream answers each input line in order; a bad line gets an
// {"error": ...} line and the rest go on.
func classifyStream(ctx context.Context, r io.Reader, w io.Writer, c feedback.Classifier, router unitRouter) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for sc.Scan() {
		if err := ctx.Err(); err != nil {
			return err
		}
		res, err := classifyOne(ctx, c, router, sc.Bytes())
		if err != nil {
			err = enc.Encode(map[string]string{"error": err.Error()})
		} else {
			err = enc.Encode(res)
		}
		if err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("classify: reading input: %w", err)
	}
	return bw.Flush()
}

func classifyOne(ctx context.Context, c feedback.Classifier, router unitRouter, line []byte) (*classifyResult, error) {
	var in classifyLine
	if err := json.Unmarshal(line, &in); err != nil {
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	if (in.Lat == nil) != (in.Lng == nil) {
		return nil, errors.New("lat and lng go together")
	}
	got, err := c.Classify(ctx, feedback.ClassifyInput{Text: in.Text, Lat: in.Lat, Lng: in.Lng})
	if err != nil {
		return nil, err
	}
	unit, _ := router.Route(got.Category, got.Ward)
	res := &classifyResult{
		Category: got.Category, Confidence: got.Confidence, WardSpan: got.WardSpan, WardSource: got.WardSource,
		Unit: unit, Alternatives: got.Alternatives, Features: got.Features, Model: got.Model,
	}
	if got.Ward != "" {
		res.Ward = &got.Ward
	}
	return res, nil
}

// newClassifier builds the classifier PHANANH_CLASSIFIER asks for: the
// embedded local model, or the LLM backend with the local model as its
// fallback. The lead can reuse it when wiring serve.
func newClassifier(cfg *Config, wards []classifier.Ward, log *slog.Logger) (feedback.Classifier, error) {
	local, err := classifier.NewDefault(wards)
	if err != nil {
		return nil, err
	}
	if cfg.ClassifierMode == "local" {
		return local, nil
	}
	return llm.New(llm.Config{
		BaseURL: cfg.LLMBaseURL, Model: cfg.LLMModel, APIKey: cfg.LLMAPIKey, Mode: cfg.ClassifierMode,
		Timeout: cfg.LLMTimeout, MaxConcurrent: cfg.LLMMaxConcurrent, Threshold: cfg.ClassifierThreshold,
		Wards: wards, Logger: log,
	}, local)
}
