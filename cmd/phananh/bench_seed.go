package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"time"

	"phananh/city"
	"phananh/feedback"
	"phananh/store/sqlite"
)

// benchSeed is `phananh bench seed --reports N [--data DIR] [--days D]`: it
// fills a SQLite store with N realistic reports received over the last D
// days (categories, wards and units of the city; statuses by age; response
// and resolution times on the working calendar; reopenings and ratings),
// written straight into the store in batches.
func benchSeed(ctx context.Context, env *Env, args []string) error {
	fl := flag.NewFlagSet("bench seed", flag.ContinueOnError)
	fl.SetOutput(env.Stderr)
	n := fl.Int("reports", 100000, "how many reports to add")
	dataDir := fl.String("data", "", "data directory (default PHANANH_DATA)")
	days := fl.Int("days", 365, "spread the reports over this many days up to now")
	batch := fl.Int("batch", 5000, "reports per transaction")
	seed := fl.Uint64("seed", 1, "random seed")
	if err := fl.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if *n < 1 || *days < 1 || *batch < 1 {
		return fmt.Errorf("%w: --reports, --days and --batch must be positive", errUsage)
	}
	cfg, err := loadConfig(env.Getenv)
	if err != nil {
		return err
	}
	if *dataDir == "" {
		*dataDir = cfg.DataDir
	}
	c, err := loadCity(cfg)
	if err != nil {
		return err
	}
	st, err := sqlite.Open(ctx, *dataDir, sqlite.WithLogger(slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	if err != nil {
		return err
	}
	defer st.Close()
	g := newSeeder(c, time.Now(), *days, rand.New(rand.NewPCG(*seed, 0x5eed)))
	genCtx, cancel := context.WithCancel(ctx)
	batches := g.generate(genCtx, *n, *batch)
	defer func() {
		cancel()
		for range batches { // wait for the generator to notice
		}
	}()
	start, done := time.Now(), 0
	for b := range batches {
		if err := st.ImportReports(ctx, b); err != nil {
			return fmt.Errorf("bench seed: after %d reports: %w", done, err)
		}
		if done += len(b); done%100000 < len(b) || done == *n {
			el := time.Since(start)
			fmt.Fprintf(env.Stdout, "seeded %d reports in %.1fs (%.0f/s)\n", done, el.Seconds(), float64(done)/el.Seconds())
		}
	}
	return ctx.Err()
}

// generate makes n reports in batches on its own goroutine, so that making
// the next batch overlaps writing the last one. The channel closes when all
// are made or ctx ends.
func (g *seeder) generate(ctx context.Context, n, size int) <-chan []sqlite.ImportedReport {
	out := make(chan []sqlite.ImportedReport, 2)
	go func() {
		defer close(out)
		for made := 0; made < n; made += size {
			select {
			case out <- g.batch(min(size, n-made)):
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// seeder generates realistic reports.
type seeder struct {
	city  *city.City
	cal   *city.Calendar
	now   time.Time
	span  time.Duration
	rnd   *rand.Rand
	cats  []city.Category
	wards []city.Ward
	codes map[string]bool
}

func newSeeder(c *city.City, now time.Time, days int, rnd *rand.Rand) *seeder {
	return &seeder{
		city: c, cal: c.Calendar(), now: now, span: time.Duration(days) * 24 * time.Hour, rnd: rnd,
		cats: c.Categories(), wards: c.Wards(), codes: map[string]bool{},
	}
}

func (g *seeder) batch(n int) []sqlite.ImportedReport {
	out := make([]sqlite.ImportedReport, n)
	for i := range out {
		out[i] = g.report()
	}
	return out
}

// seedTexts are typical complaints; the ward name is appended.
var seedTexts = []string{
	"Rác thải sinh hoạt đổ bừa bãi ven đường, bốc mùi hôi thối",
	"Cống thoát nước bị nghẹt, mưa xuống là ngập cả đoạn đường",
	"Quán karaoke hát to đến khuya, ảnh hưởng giấc ngủ người dân",
	"Hàng quán lấn chiếm vỉa hè, người đi bộ phải đi xuống lòng đường",
	"Đèn đường hỏng nhiều ngày, buổi tối rất tối và nguy hiểm",
	"Cây xanh nghiêng sắp đổ, nguy hiểm cho người qua lại",
	"Khói bụi từ xưởng sản xuất gây ô nhiễm khu dân cư",
	"Công trình xây dựng không che chắn, vật liệu rơi xuống đường",
	"Mặt đường bị sụt lún, ổ gà lớn gây nguy hiểm",
	"Tờ rơi quảng cáo dán tràn lan trên cột điện",
}

var seedNames = []string{"Nguyễn Văn An", "Trần Thị Bích", "Lê Minh Châu", "Phạm Quốc Dũng", "Võ Thị Hạnh", "Huỳnh Tấn Phát"}

func (g *seeder) report() sqlite.ImportedReport {
	cat := g.cats[g.rnd.IntN(len(g.cats))]
	ward := g.wards[g.rnd.IntN(len(g.wards))]
	created := g.now.Add(-time.Duration(g.rnd.Int64N(int64(g.span)))).Truncate(time.Second)
	unit, _ := g.city.Route(cat.Code, ward.ID)
	r := &feedback.Report{
		ID: feedback.NewID(), Code: g.code(), Text: seedTexts[g.rnd.IntN(len(seedTexts))] + " tại " + ward.Name + ".",
		Channel:  []feedback.Channel{feedback.ChannelWeb, feedback.ChannelWeb, feedback.ChannelTelegram, feedback.ChannelEmail}[g.rnd.IntN(4)],
		Reporter: feedback.Contact{Name: seedNames[g.rnd.IntN(len(seedNames))], Phone: fmt.Sprintf("09%08d", g.rnd.IntN(1e8))},
		Public:   g.rnd.IntN(3) > 0, Category: cat.Code, Ward: ward.ID, Unit: unit,
		Classification: feedback.Classification{Category: cat.Code, Confidence: 0.6 + 0.4*g.rnd.Float64(), Ward: ward.ID, Model: "seed"},
		Priority:       cat.Priority, CreatedAt: created, ReporterTokenHash: feedback.HashSecret(feedback.NewID()),
	}
	r.DueAt = g.city.Due(created, cat.Code, cat.Priority)
	fr, rs := g.lifecycle(r)
	r.UpdatedAt = created
	for _, t := range []*time.Time{r.FirstResponseAt, r.ResolvedAt, r.ClosedAt} {
		if t != nil && t.After(r.UpdatedAt) {
			r.UpdatedAt = *t
		}
	}
	ev := feedback.Event{Type: feedback.EventCreated, ReportID: r.ID, ReportCode: r.Code, UnitID: unit,
		Public: true, Actor: feedback.ActorCitizen, To: feedback.StatusReceived, At: created}
	return sqlite.ImportedReport{Report: r, Events: []feedback.Event{ev}, FirstResponseMinutes: fr, ResolutionMinutes: rs}
}

// code returns a tracking code not used before in this run (random codes
// of 40 bits do collide among a million).
func (g *seeder) code() string {
	for {
		c := feedback.NewCode()
		if !g.codes[c] {
			g.codes[c] = true
			return c
		}
	}
}

// lifecycle decides how far a report has come, by age: old reports are
// mostly closed, recent ones still open. It sets the report's status and
// times and returns the working minutes to first response and resolution
// (-1 for none).
func (g *seeder) lifecycle(r *feedback.Report) (fr, rs int64) {
	fr, rs = -1, -1
	sla := g.cal.WorkingDuration(r.CreatedAt, r.DueAt)
	frDur := g.lognormal(3*time.Hour, 1.0)
	rsDur := time.Duration(float64(max(sla, time.Hour)) * math.Exp(g.rnd.NormFloat64()*0.6-0.35))
	if g.rnd.IntN(100) < 4 {
		r.Status = []feedback.Status{feedback.StatusReceived, feedback.StatusTriage}[g.rnd.IntN(2)]
		return fr, rs
	}
	respondedAt := g.cal.Add(r.CreatedAt, frDur)
	resolvedAt := g.cal.Add(r.CreatedAt, max(rsDur, frDur+30*time.Minute))
	switch {
	case respondedAt.After(g.now):
		r.Status = feedback.StatusAssigned
		return fr, rs
	case g.rnd.IntN(100) < 5:
		r.Status, r.ClosedAt = feedback.StatusRejected, &respondedAt
	case resolvedAt.After(g.now):
		r.Status = feedback.StatusInProgress
	default:
		rs = int64(g.cal.WorkingDuration(r.CreatedAt, resolvedAt) / time.Minute)
		g.close(r, resolvedAt)
	}
	r.FirstResponseAt = &respondedAt
	fr = int64(g.cal.WorkingDuration(r.CreatedAt, respondedAt) / time.Minute)
	return fr, rs
}

// close resolves a report and lets the citizen react: some reopened
// earlier, most confirm or let it close after a week, many rate it.
func (g *seeder) close(r *feedback.Report, resolvedAt time.Time) {
	r.Status, r.ResolvedAt = feedback.StatusResolved, &resolvedAt
	if g.rnd.IntN(100) < 6 {
		r.ReopenCount = 1 + g.rnd.IntN(2)
	}
	if closeAt := resolvedAt.AddDate(0, 0, g.rnd.IntN(8)); closeAt.Before(g.now) {
		r.Status, r.ClosedAt = feedback.StatusClosed, &closeAt
	}
	if g.rnd.IntN(100) < 55 {
		r.Rating = []int{1, 2, 3, 3, 4, 4, 4, 5, 5, 5}[g.rnd.IntN(10)]
	}
}

// lognormal draws a duration around median with spread sigma.
func (g *seeder) lognormal(median time.Duration, sigma float64) time.Duration {
	return time.Duration(float64(median) * math.Exp(g.rnd.NormFloat64()*sigma))
}

// benchStats is `phananh bench stats [--data DIR] [--runs R]`: it times the
// statistics query, the way GET /api/v1/stats runs it, for each grouping
// over the last 365 and 30 days.
func benchStats(ctx context.Context, env *Env, args []string) error {
	fl := flag.NewFlagSet("bench stats", flag.ContinueOnError)
	fl.SetOutput(env.Stderr)
	dataDir := fl.String("data", "", "data directory (default PHANANH_DATA)")
	runs := fl.Int("runs", 3, "runs of each query")
	if err := fl.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	cfg, err := loadConfig(env.Getenv)
	if err != nil {
		return err
	}
	if *dataDir == "" {
		*dataDir = cfg.DataDir
	}
	st, err := sqlite.Open(ctx, *dataDir, sqlite.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return err
	}
	defer st.Close()
	now := time.Now()
	worst := time.Duration(0)
	for _, days := range []int{365, 30} {
		for _, g := range []feedback.StatsGroup{feedback.StatsByUnit, feedback.StatsByCategory, feedback.StatsByWard} {
			q := feedback.StatsQuery{From: now.AddDate(0, 0, -days), To: now, Group: g, Now: now}
			m, err := timeStats(ctx, st, q, *runs)
			if err != nil {
				return err
			}
			worst = max(worst, m.worst)
			fmt.Fprintf(env.Stdout, "stats %-8s last %3d days: %7d reports in %2d groups  best %6.0f ms  worst %6.0f ms  cpu/call %6.0f ms\n",
				g, days, m.received, m.groups, ms(m.best), ms(m.worst), ms(m.cpu))
		}
	}
	fmt.Fprintf(env.Stdout, "slowest stats call: %.0f ms (target < 2000 ms): %s\n", ms(worst), verdict(worst < 2*time.Second))
	return nil
}

// statsTiming is what timeStats measured: wall time of the best and worst
// run, mean process CPU time per run (meaningful on a busy machine), and
// the shape of the answer.
type statsTiming struct {
	best, worst, cpu time.Duration
	received, groups int64
}

func timeStats(ctx context.Context, st *sqlite.Store, q feedback.StatsQuery, runs int) (statsTiming, error) {
	m := statsTiming{best: time.Duration(math.MaxInt64)}
	runs = max(runs, 1)
	cpu0, _ := processCPU()
	for range runs {
		start := time.Now()
		rows, err := st.Stats(ctx, q)
		el := time.Since(start)
		if err != nil {
			return m, err
		}
		m.best, m.worst = min(m.best, el), max(m.worst, el)
		m.received, m.groups = 0, int64(len(rows))
		for _, r := range rows {
			m.received += r.Received
		}
	}
	if cpu1, ok := processCPU(); ok {
		m.cpu = (cpu1 - cpu0) / time.Duration(runs)
	}
	if m.received == 0 {
		return m, errors.New("bench stats: the store has no reports in the period; run phananh bench seed first")
	}
	return m, nil
}
