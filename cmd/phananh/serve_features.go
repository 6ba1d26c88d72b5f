package main

import (
	"context"
	"fmt"
	"net/http"

	"phananh/auth"
	"phananh/desk"
	"phananh/feedback"
	"phananh/live"
	"phananh/petition"
	"phananh/photo"
	"phananh/server"
	"phananh/sla"
	"phananh/webui"
)

// fullStore is what the whole application needs of a store: both stores
// implement every part of it.
type fullStore interface {
	feedback.Store
	feedback.StaffStore
	petition.Store
}

// features are the parts of `phananh serve` beyond the core intake API:
// live updates, the staff side, the web UI, petitions, the Telegram bot and
// the mailbox. wireFeatures builds them once intake exists.
type features struct {
	hub      *live.Hub
	streamer *live.Streamer
	auth     *auth.Service
	desk     *desk.Service
	petition *petition.Service
	// handler is the server's handler, wrapped by the bot's webhook when
	// webhook mode is on.
	handler http.Handler
	workers []worker
}

// maxLivePerClient caps one address's open live streams. Mobile carriers
// put many citizens behind one IPv4 address, so it is generous: it stops
// one machine from holding thousands of goroutines, not a busy carrier.
const maxLivePerClient = 256

// wireFeatures wires everything on top of a.intake and a.server, adding
// each part's publisher to the fan-out and its loop to the workers. It runs
// before any worker or request, as the fan-out requires.
func (a *app) wireFeatures(ctx context.Context) (*features, error) {
	st, ok := a.store.(fullStore)
	if !ok {
		return nil, fmt.Errorf("store %T lacks the staff or petition interfaces", a.store)
	}
	f := &features{}
	f.hub = live.NewHub(st, live.HubOptions{Logger: a.log})
	a.subscribers.add(f.hub)
	f.streamer = live.NewStreamer(f.hub, live.StreamOptions{
		BaseURL: a.cfg.BaseURL, AllowedOrigins: a.cfg.AllowedOrigins, Logger: a.log,
		MaxPerClient: maxLivePerClient,
	})

	var err error
	if f.auth, err = auth.New(st, auth.Config{UnitExists: unitExists(a.city), Log: a.log}); err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	f.desk = desk.New(st, a.city, desk.Config{Publisher: a.publisher, Clean: photo.Clean, Log: a.log})
	a.server.MountStaff(server.StaffDeps{Auth: f.auth, Desk: f.desk, SecureCookies: a.cfg.SecureCookies()})
	a.server.MountLive(f.streamer, server.LiveAuthenticator(f.auth))
	job := sla.New(st, a.city, sla.Config{Publisher: a.publisher, Log: a.log})

	mail, err := newMail(a.cfg, st, a.city, a.log)
	if err != nil {
		return nil, err
	}
	a.subscribers.add(mail)
	if err := mail.withIngestor(a.intake); err != nil {
		return nil, err
	}

	pcfg := petition.Config{Publisher: a.publisher, Clean: photo.Clean, BaseURL: a.cfg.BaseURL, Log: a.log}
	if mail.Mailer != nil {
		pcfg.Mailer = petitionMailer{mail.Mailer} // a nil *Mailer inside the interface would panic
	}
	f.petition = petition.New(st, a.city, pcfg)
	a.server.MountPetitions(server.PetitionDeps{Service: f.petition, Auth: f.auth, Streamer: f.streamer})

	if err := a.mountWebUI(ctx, st, f); err != nil {
		return nil, err
	}

	b, botOn, err := startBot(ctx, a.cfg, botDeps{
		Store: st, City: a.city, Intake: a.intake, Classifier: a.cls, Citizen: f.desk,
		Petitions: f.petition, Logger: a.log,
	})
	if err != nil {
		return nil, err
	}
	answers := petition.DeliveryDeps{Store: st, BaseURL: a.cfg.BaseURL, Log: a.log}
	if mail.Mailer != nil {
		answers.Mailer = petitionMailer{mail.Mailer}
	}
	if botOn {
		answers.Telegram = b
		a.subscribers.add(b)
	}
	delivery := petition.NewAnswerDelivery(answers)
	a.subscribers.add(delivery)

	if f.handler, err = withBotWebhook(a.server.Handler(), a.cfg, b); err != nil {
		return nil, err
	}
	f.workers = []worker{
		{"live", f.hub.Run},
		{"sessions", f.auth.Run},
		{"sla", job.Run},
		{"petitions", func(ctx context.Context) error { return f.petition.Run(ctx, 0) }},
		{"petition-answers", delivery.Run},
	}
	f.workers = append(f.workers, mail.workers()...)
	if botOn {
		f.workers = append(f.workers, worker{"telegram", a.telegramWorker(st, b)})
	}
	return f, nil
}

// mountWebUI adds the citizen pages, the staff desk and the dashboard.
func (a *app) mountWebUI(ctx context.Context, st fullStore, f *features) error {
	secret, err := webui.FormSecret(ctx, st)
	if err != nil {
		return fmt.Errorf("web UI form secret: %w", err)
	}
	ui, err := webui.New(webui.Config{
		Reports: st, Intake: a.intake, Classifier: a.cls, City: a.city,
		Auth: f.auth, Desk: f.desk, TileURL: a.cfg.TileURL, FormSecret: secret,
		SessionCookie: server.SessionCookie, CSRFCookie: server.CSRFCookie,
		SecureCookies: a.cfg.SecureCookies(), Logger: a.log,
	})
	if err != nil {
		return fmt.Errorf("web UI: %w", err)
	}
	a.server.MountWebUI(ui)
	ui.MountPetitions(a.server.Engine(), f.petition)
	return nil
}
