// Command orgsbench measures the orgs Service against a raw-SQL floor — the
// same logical work written as hand-tuned SQL, one transaction for each
// write — on SQLite or Postgres, and prints one line per operation:
//
//	op=<name> backend=<sqlite|postgres> ours_us=<µs/op> floor_us=<µs/op> ratio=<ours/floor> queries=<statements/op> floor_queries=<…> round_trips=<…> floor_round_trips=<…>
//
// ours_us and floor_us are mean microseconds per operation: each side runs
// in rounds, interleaved (library, floor, library, …), and the figure is the
// median over rounds of the round's mean, so that a stall of the machine
// during one round does not move it. queries counts the SQL statements the
// library sends per operation (BEGIN and COMMIT included; several
// statements sent in one query string count one each), from a bun query
// hook on the store's *bun.DB; floor_queries the same for the floor;
// round_trips and floor_round_trips count the round trips of the library
// and of the floor: on Postgres on the wire (a pipeline of statements is
// one), on SQLite the statements.
//
// For http_get_org, "ours" is GET /organizations/{slug} through httpapi and
// "floor" the Service's GetOrganizationDetail: its ratio is the HTTP layer's
// overhead. The floor of every other operation is documented on
// bench.Floor.
//
// Usage:
//
//	go run ./cmd/orgsbench -quick                              # SQLite, a temporary file
//	go run ./cmd/orgsbench -quick -db 'postgres://user@host/db'  # Postgres, in a new schema dropped after
//	go run ./cmd/orgsbench                                     # full mode, for the README's table
//
// -quick finishes in under a minute per backend. The set-up (a
// 100,000-member organization, a user in 200 organizations) is included in
// that time. Lines starting with # are comments: the machine, and the
// targets met or missed.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tenantkit/orgs/internal/bench"
)

func main() {
	dsn := flag.String("db", "", "a SQLite file to create (default: a temporary file) or a postgres:// URL (a new schema is created in it)")
	quick := flag.Bool("quick", false, "a quick run (under 60 s per backend) instead of the full one")
	only := flag.String("ops", "", "comma-separated operations to run (default: all)")
	keep := flag.Bool("keep", false, "keep the SQLite file or the Postgres schema afterwards")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of each operation's measured rounds (both sides; set-up excluded) to FILE.<op>")
	curve := flag.String("curve", "", "the scale curve's organization sizes, comma-separated (default in full mode: 1000,10000,100000; \"off\": none)")
	million := flag.Bool("million", false, "add a 1,000,000-member organization to the scale curve (slow: minutes of set-up)")
	flag.Parse()
	sizes, err := curveSizes(*curve, *quick, *million)
	if err != nil {
		fmt.Fprintln(os.Stderr, "orgsbench:", err)
		os.Exit(2)
	}
	if *cpuProfile != "" {
		stop, err := startProfile(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "orgsbench:", err)
			os.Exit(1)
		}
		bench.Profile = stop
	}
	if err := run(*dsn, *quick, *only, *keep, sizes); err != nil {
		fmt.Fprintln(os.Stderr, "orgsbench:", err)
		os.Exit(1)
	}
}

// curveSizes returns the scale curve's organization sizes.
func curveSizes(flagValue string, quick, million bool) ([]int, error) {
	switch {
	case flagValue == "off":
		return nil, nil
	case flagValue == "" && quick:
		if million {
			return []int{1_000_000}, nil
		}
		return nil, nil
	case flagValue == "":
		flagValue = "1000,10000,100000"
	}
	var out []int
	for _, f := range strings.Split(flagValue, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1000 {
			return nil, fmt.Errorf("-curve: %q is not a size of at least 1000", f)
		}
		out = append(out, n)
	}
	if million {
		out = append(out, 1_000_000)
	}
	return out, nil
}

func run(dsn string, quick bool, only string, keep bool, sizes []int) error {
	// An interrupt cancels the run, and the deferred Close still drops the
	// Postgres schema or removes the SQLite file (a million-member curve
	// leaves gigabytes behind otherwise).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	plan, mode := bench.Full, "full"
	if quick {
		plan, mode = bench.Quick, "quick"
	}
	ops := bench.Ops
	if only != "" {
		ops = nil
		for _, name := range strings.Split(only, ",") {
			op, ok := bench.Lookup(strings.TrimSpace(name))
			if !ok {
				return fmt.Errorf("unknown operation %q", name)
			}
			ops = append(ops, op)
		}
	}
	e, err := bench.Open(ctx, dsn, keep)
	if err != nil {
		return err
	}
	defer e.Close()

	fmt.Printf("# orgsbench %s: %s, %s %s/%s, %d CPUs (GOMAXPROCS %d), %s\n", mode, e.Backend,
		runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.GOMAXPROCS(0), cpuModel())
	fmt.Printf("# %s at %s\n", e.Backend, e.Where)
	var results []bench.Result
	for _, op := range ops {
		r, err := bench.Measure(ctx, e, op, plan)
		if err != nil {
			return err
		}
		results = append(results, r)
		fmt.Println(r.Line())
	}
	var deep *bench.Result
	if slices.ContainsFunc(ops, func(op bench.Op) bool { return op.Name == "list_members_deep" }) {
		r, err := bench.Measure(ctx, e, bench.DeepVsFirst, plan)
		if err != nil {
			return err
		}
		deep = &r
		fmt.Printf("# deep page vs first page, through the Service, interleaved: deep_us=%.1f first_us=%.1f ratio=%.2f\n",
			float64(r.Ours)/1e3, float64(r.Floor)/1e3, r.Ratio())
	}
	summarize(results, deep)
	if len(sizes) > 0 {
		if err := runCurve(ctx, e, sizes); err != nil {
			return err
		}
	}
	fmt.Printf("# done in %.1f s\n", time.Since(start).Seconds())
	return nil
}

// summarize prints the targets as comments.
func summarize(results []bench.Result, deep *bench.Result) {
	byName := map[string]bench.Result{}
	for _, r := range results {
		byName[r.Op.Name] = r
		verdict := "met"
		if !r.Met() {
			verdict = "MISSED"
		}
		what := "ours/floor"
		if r.Op.Kind == bench.HTTP {
			what = "http/service"
		}
		fmt.Printf("# target %-20s %s %.2f <= %.2f (%s): %s\n", r.Op.Name, what, r.Ratio(), r.Op.Kind.Target(), r.Op.Kind, verdict)
	}
	if deep != nil {
		fmt.Printf("# target %-20s deep/first page %.2f <= 1.50: %s\n", "list_members_deep", deep.Ratio(), verdict(deep.Ratio() <= 1.5))
	}
	if c, ok := byName["create_org"]; ok {
		fmt.Printf("# target %-20s %s statements <= 8 (%s round trips): %s\n", "create_org",
			fmtCount(c.OursStatements), fmtCount(c.OursRoundTrips), verdict(c.OursStatements <= 8))
	}
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

func fmtCount(f float64) string { return strings.TrimSuffix(fmt.Sprintf("%.2f", f), ".00") }

// cpuModel returns the CPU's model name from /proc/cpuinfo, when there is one.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// startProfile returns a bench.Profile that profiles the CPU into
// file.<op> while op's rounds are measured.
func startProfile(file string) (func(op string, on bool), error) {
	var f *os.File
	return func(op string, on bool) {
		if on {
			var err error
			if f, err = os.Create(file + "." + op); err != nil {
				fmt.Fprintln(os.Stderr, "orgsbench:", err)
				return
			}
			if err := pprof.StartCPUProfile(f); err != nil {
				fmt.Fprintln(os.Stderr, "orgsbench:", err)
			}
			return
		}
		pprof.StopCPUProfile()
		_ = f.Close()
	}, nil
}

// runCurve measures the scale curve and prints a line per point and
// operation, then whether each flat operation stayed flat.
func runCurve(ctx context.Context, e *bench.Env, sizes []int) error {
	fmt.Printf("# scale curve: organizations of %v members, then +%d organizations of the listing user\n", sizes, bench.CurveOrgs)
	var points []bench.CurvePoint
	err := bench.Curve(ctx, e, sizes, true, bench.CurvePlan, func(pt bench.CurvePoint, took time.Duration) {
		points = append(points, pt)
		fmt.Printf("# curve point %q set up in %.1f s\n", pt.Label, took.Seconds())
		for _, r := range pt.Results {
			fmt.Printf("curve point=%q members=%d my_orgs=%d op=%s ours_us=%.1f floor_us=%.1f ratio=%.2f round_trips=%s floor_round_trips=%s\n",
				pt.Label, pt.Members, pt.Orgs, r.Op.Name, float64(r.Ours)/1e3, float64(r.Floor)/1e3, r.Ratio(), fmtCount(r.OursRoundTrips), fmtCount(r.FloorRoundTrips))
		}
	})
	if err != nil {
		return err
	}
	if len(points) < 2 {
		return nil
	}
	first, last := points[0], points[len(points)-1]
	for i, op := range bench.CurveOps {
		lo, hi := first.Results[i].Ours, first.Results[i].Ours
		var costs []string
		for _, pt := range points {
			d := pt.Results[i].Ours
			lo, hi = min(lo, d), max(hi, d)
			costs = append(costs, fmt.Sprintf("%s %.0f", pt.Label, float64(d)/1e3))
		}
		growth := float64(last.Results[i].Ours) / float64(first.Results[i].Ours)
		if bench.Flat(op) {
			fmt.Printf("# target curve %-18s largest/smallest %.2f <= 1.50 (max/min %.2f): %s  [µs: %s]\n", op, growth,
				float64(hi)/float64(lo), verdict(growth <= 1.5), strings.Join(costs, ", "))
		} else {
			fmt.Printf("# curve %-18s largest/smallest %.2f (not keyed: grows with the members)  [µs: %s]\n", op, growth, strings.Join(costs, ", "))
		}
	}
	return nil
}
