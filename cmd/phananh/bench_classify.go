package main

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"slices"
	"time"

	"phananh/classifier"
	"phananh/feedback"
)

// Targets of the classifier benchmark (issue 3).
const (
	targetTextsPerSec = 20000
	targetP99         = time.Millisecond
	targetLoad        = 100 * time.Millisecond
)

// benchClassify is `phananh bench classify`: model load time, texts per
// second on one core (GOMAXPROCS=1, per CPU-second where the OS reports
// CPU time) and the latency distribution of single classifications of the
// shipped held-out texts, against the targets. Latencies are wall time,
// so a busy machine inflates the tail.
func benchClassify(ctx context.Context, env *Env, args []string) error {
	fl := flag.NewFlagSet("bench classify", flag.ContinueOnError)
	fl.SetOutput(env.Stderr)
	n := fl.Int("n", 50000, "classifications to time")
	if err := fl.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	all, err := classifier.ShippedExamples()
	if err != nil {
		return err
	}
	_, held := classifier.Split(all)
	if len(held) == 0 {
		return fmt.Errorf("bench classify: no held-out texts")
	}
	load, err := timeLoad(5)
	if err != nil {
		return err
	}
	m, _ := classifier.EmbeddedModel()
	c := classifier.NewLocal(m, classifier.TuyHoaWards())
	prev := runtime.GOMAXPROCS(1) // one core
	defer runtime.GOMAXPROCS(prev)
	cpu0, cpuOK := processCPU()
	lat, total, err := timeClassify(ctx, c, held, *n)
	if err != nil {
		return err
	}
	cpu1, _ := processCPU()
	perSec := float64(len(lat)) / total.Seconds()
	if cpuOK && cpu1 > cpu0 {
		// On a shared machine wall time counts other processes' turns; the
		// CPU time this process spent is what one core did.
		fmt.Fprintf(env.Stdout, "wall time %v, CPU time %v: throughput counted per CPU-second\n",
			total.Round(time.Millisecond), (cpu1 - cpu0).Round(time.Millisecond))
		perSec = float64(len(lat)) / (cpu1 - cpu0).Seconds()
	}
	fmt.Fprintf(env.Stdout, "classifier %s, %d held-out texts (mean %d bytes), %d classifications, GOMAXPROCS=1\n",
		c.Name(), len(held), meanLen(held), len(lat))
	fmt.Fprintf(env.Stdout, "model load     %10v  (target < %v) %s\n", load.Round(time.Microsecond), targetLoad, verdict(load < targetLoad))
	fmt.Fprintf(env.Stdout, "throughput     %10.0f texts/s on one core  (target >= %d) %s\n", perSec, targetTextsPerSec, verdict(perSec >= targetTextsPerSec))
	fmt.Fprintf(env.Stdout, "latency p50    %10v\n", pct(lat, 0.50))
	fmt.Fprintf(env.Stdout, "latency p99    %10v  (target < %v) %s\n", pct(lat, 0.99), targetP99, verdict(pct(lat, 0.99) < targetP99))
	fmt.Fprintf(env.Stdout, "latency max    %10v\n", lat[len(lat)-1])
	return nil
}

// timeLoad returns the median time to decode the embedded model.
func timeLoad(runs int) (time.Duration, error) {
	var d []time.Duration
	for range runs {
		t0 := time.Now()
		if _, err := classifier.EmbeddedModel(); err != nil {
			return 0, err
		}
		d = append(d, time.Since(t0))
	}
	slices.Sort(d)
	return d[len(d)/2], nil
}

// timeClassify classifies n texts one at a time and returns the sorted
// latencies and the total time.
func timeClassify(ctx context.Context, c feedback.Classifier, ex []classifier.Example, n int) ([]time.Duration, time.Duration, error) {
	lat := make([]time.Duration, 0, n)
	start := time.Now()
	for i := range n {
		t0 := time.Now()
		if _, err := c.Classify(ctx, feedback.ClassifyInput{Text: ex[i%len(ex)].Text}); err != nil {
			return nil, 0, err
		}
		lat = append(lat, time.Since(t0))
	}
	total := time.Since(start)
	slices.Sort(lat)
	return lat, total, nil
}

func pct(sorted []time.Duration, p float64) time.Duration {
	return sorted[min(len(sorted)-1, int(p*float64(len(sorted))))]
}

func meanLen(ex []classifier.Example) int {
	sum := 0
	for _, e := range ex {
		sum += len(e.Text)
	}
	return sum / len(ex)
}

func verdict(ok bool) string {
	if ok {
		return "ok"
	}
	return "MISSED"
}
