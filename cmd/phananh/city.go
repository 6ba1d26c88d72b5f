package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"phananh/city"
)

// runCity is the "city" subcommand: `phananh city check|routes [FILE]`.
// It reads FILE, or PHANANH_CITY, or the embedded demo, as serve would,
// so that an edited configuration can be checked (every error at once)
// and its routing reviewed before the server is restarted with it.
func runCity(_ context.Context, env *Env, args []string) error {
	if len(args) == 0 || len(args) > 2 || (args[0] != "check" && args[0] != "routes") {
		return fmt.Errorf("%w: phananh city check|routes [FILE]", errUsage)
	}
	path := env.Getenv("PHANANH_CITY")
	if len(args) == 2 {
		path = args[1]
	}
	c, err := loadCity(&Config{CityFile: path})
	if err != nil {
		return err
	}
	if path == "" {
		path = "(embedded demo)"
	}
	if args[0] == "routes" {
		printRoutes(env.Stdout, c)
		return nil
	}
	fmt.Fprintf(env.Stdout, "%s: hợp lệ / valid\n", path)
	fmt.Fprintf(env.Stdout, "%s: %d phường/xã (wards), %d đơn vị (units), %d lĩnh vực (categories); "+
		"không khớp quy tắc nào (no rule matches) → %s\n",
		c.Name, len(c.Wards()), len(c.Units()), len(c.Categories()), c.Fallback())
	return nil
}

// printRoutes shows, for every category, which unit a report goes to in
// each ward, grouped by unit, and where it goes when no ward is known.
func printRoutes(w io.Writer, c *city.City) {
	const ownWard = "ubnd_{ward}"
	unitName := func(id string) string {
		if id == ownWard {
			return "UBND của chính phường/xã đó (the ward's own People's Committee)"
		}
		if u, ok := c.Unit(id); ok {
			return id + " (" + u.Name + ")"
		}
		return id
	}
	for _, cat := range c.Categories() {
		fmt.Fprintf(w, "%s — %s\n", cat.Code, cat.Name)
		byUnit := map[string][]string{}
		var order []string
		for _, ward := range c.Wards() {
			u, _ := c.Route(cat.Code, ward.ID)
			if u == "ubnd_"+ward.ID {
				u = ownWard
			}
			if _, seen := byUnit[u]; !seen {
				order = append(order, u)
			}
			byUnit[u] = append(byUnit[u], ward.ID)
		}
		slices.SortStableFunc(order, func(a, b string) int { return len(byUnit[b]) - len(byUnit[a]) })
		for _, u := range order {
			wards := strings.Join(byUnit[u], ", ")
			if len(byUnit[u]) == len(c.Wards()) {
				wards = "mọi phường/xã (every ward)"
			}
			fmt.Fprintf(w, "  → %s: %s\n", unitName(u), wards)
		}
		u, matched := c.Route(cat.Code, "")
		note := ""
		if !matched {
			note = " — chờ phân loại (triage)"
		}
		fmt.Fprintf(w, "  → không rõ phường (no ward): %s%s\n", unitName(u), note)
	}
}
