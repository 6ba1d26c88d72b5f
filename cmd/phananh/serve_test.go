package main

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"phananh/feedback"
)

func TestRunWorkersStopsAllOnFirstFailure(t *testing.T) {
	boom := errors.New("listener lost")
	stopped := make(chan string, 2)
	err := runWorkers(t.Context(), slog.New(slog.DiscardHandler), []worker{
		{"http", func(ctx context.Context) error { return boom }},
		{"hub", func(ctx context.Context) error { <-ctx.Done(); stopped <- "hub"; return nil }},
		{"bot", func(ctx context.Context) error { <-ctx.Done(); stopped <- "bot"; return ctx.Err() }},
	})
	if !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "http: ") {
		t.Errorf("err = %v", err)
	}
	if len(stopped) != 2 {
		t.Errorf("%d of 2 workers stopped", len(stopped))
	}
}

func TestRunWorkersReturnsNilOnShutdown(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(20*time.Millisecond, cancel)
	err := runWorkers(ctx, slog.New(slog.DiscardHandler), []worker{
		{"http", func(ctx context.Context) error { <-ctx.Done(); return nil }},
		{"hub", func(ctx context.Context) error { <-ctx.Done(); return errors.New("drained late") }},
	})
	if err != nil {
		t.Errorf("err = %v", err)
	}
}

func TestRunWorkersEarlyNilIsAFailure(t *testing.T) {
	err := runWorkers(t.Context(), slog.New(slog.DiscardHandler), []worker{
		{"mailbox", func(ctx context.Context) error { return nil }},
		{"http", func(ctx context.Context) error { <-ctx.Done(); return nil }},
	})
	if err == nil || !strings.Contains(err.Error(), "mailbox: stopped unexpectedly") {
		t.Errorf("err = %v", err)
	}
}

type recordingPublisher struct{ got *[]string }

func (r recordingPublisher) Publish(events []feedback.Event) {
	for _, e := range events {
		*r.got = append(*r.got, string(e.Type))
	}
}

func TestFanoutReachesEverySubscriber(t *testing.T) {
	var a, b []string
	f := &fanout{}
	f.add(recordingPublisher{&a})
	f.add(recordingPublisher{&b})
	f.Publish([]feedback.Event{{Type: feedback.EventCreated}, {Type: feedback.EventStatusChanged}})
	if strings.Join(a, ",") != "created,status_changed" || strings.Join(b, ",") != "created,status_changed" {
		t.Errorf("a = %v, b = %v", a, b)
	}
}
