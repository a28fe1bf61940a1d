package bench

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"time"
)

// Result is one operation measured on one backend.
type Result struct {
	Op      Op
	Backend string
	N       int // iterations of each side

	// Mean time per operation: the median over rounds of each round's mean.
	Ours, Floor time.Duration
	// Statements and round trips per operation, from the query hook.
	OursStatements, OursRoundTrips   float64
	FloorStatements, FloorRoundTrips float64
}

// Ratio is Ours/Floor.
func (r Result) Ratio() float64 { return float64(r.Ours) / float64(r.Floor) }

// Met reports whether the ratio meets the operation's target.
func (r Result) Met() bool { return r.Ratio() <= r.Op.Kind.Target() }

// Line is the result in orgsbench's format: the fields the issue names, then
// floor_queries and round_trips (statements sent together in one query
// string are one round trip).
func (r Result) Line() string {
	return fmt.Sprintf("op=%s backend=%s ours_us=%.1f floor_us=%.1f ratio=%.2f queries=%s floor_queries=%s round_trips=%s floor_round_trips=%s",
		r.Op.Name, r.Backend, us(r.Ours), us(r.Floor), r.Ratio(),
		num(r.OursStatements), num(r.FloorStatements), num(r.OursRoundTrips), num(r.FloorRoundTrips))
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// num prints a per-operation count: an integer when it is one.
func num(f float64) string {
	if f == float64(int64(f)) {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'f', 2, 64)
}

// Plan says how long to measure.
type Plan struct {
	Budget time.Duration // per side (ours, floor) and operation
	Rounds int           // ours then floor, this many times, to even out drift
	MinN   int
	MaxN   int
}

// Profile, when set, is called with an operation's name and true when its
// measured rounds start, and false when they end (orgsbench -cpuprofile).
var Profile func(op string, on bool)

// heavy is p for an operation of thousands of rows: a few iterations, one
// a round.
func (p Plan) heavy() Plan {
	n := 3
	if p.Rounds > 10 {
		n = 6
	}
	return Plan{Budget: p.Budget, Rounds: n, MinN: n, MaxN: n}
}

// Quick and Full are orgsbench's plans.
var (
	Quick = Plan{Budget: 800 * time.Millisecond, Rounds: 10, MinN: 20, MaxN: 20_000}
	Full  = Plan{Budget: 6 * time.Second, Rounds: 20, MinN: 100, MaxN: 200_000}
)

// Measure runs op on e: a few warm-up iterations of each side to estimate
// its cost, then N iterations of each (N to fit the budget of the slower
// side), in rounds of the library followed by the floor. The figures are
// the median over rounds of each round's mean time per operation.
func Measure(ctx context.Context, e *Env, op Op, p Plan) (Result, error) {
	res := Result{Op: op, Backend: e.Backend}
	warm := 5
	if op.Heavy {
		p, warm = p.heavy(), 1
	}
	var est time.Duration
	for _, impl := range []Impl{Ours, Base} {
		run, err := op.Prepare(ctx, e, impl, warm)
		if err != nil {
			return res, fmt.Errorf("%s %s: prepare: %w", op.Name, impl, err)
		}
		start := time.Now()
		for i := range warm {
			if err := run(ctx, i); err != nil {
				return res, fmt.Errorf("%s %s: %w", op.Name, impl, err)
			}
		}
		est = max(est, time.Since(start)/time.Duration(warm))
	}
	n := p.MinN
	if est > 0 {
		n = int(p.Budget / est)
	}
	n = min(max(n, p.MinN), p.MaxN)
	n -= n % p.Rounds
	var runs [2]RunFunc
	for _, impl := range []Impl{Ours, Base} {
		run, err := op.Prepare(ctx, e, impl, n)
		if err != nil {
			return res, fmt.Errorf("%s %s: prepare: %w", op.Name, impl, err)
		}
		runs[impl] = run
	}
	if err := e.Settle(ctx); err != nil {
		return res, err
	}
	if Profile != nil {
		Profile(op.Name, true)
		defer Profile(op.Name, false)
	}
	// Each round runs a chunk of each side; a side's figure is the median
	// over rounds of its mean per operation in the round, which a stall of
	// the machine (another process, a checkpoint) in one round does not
	// move. Rounds stop early, after three, once the time spent passes
	// three budgets.
	var means [2][]time.Duration
	var stmts, trips [2]int64
	chunk := n / p.Rounds
	spent, done := time.Duration(0), 0
	for r := 0; r < p.Rounds; r++ {
		for _, impl := range []Impl{Ours, Base} {
			runtime.GC()
			e.Counter.Reset(false)
			start := time.Now()
			for i := r * chunk; i < (r+1)*chunk; i++ {
				if err := runs[impl](ctx, i); err != nil {
					return res, fmt.Errorf("%s %s: %w", op.Name, impl, err)
				}
			}
			d := time.Since(start)
			spent += d
			means[impl] = append(means[impl], d/time.Duration(chunk))
			s, t := e.Counter.Counts()
			stmts[impl] += s
			trips[impl] += t
		}
		done++
		if done >= 3 && spent > 3*p.Budget {
			break
		}
	}
	res.N = done * chunk
	fn := float64(res.N)
	res.Ours, res.Floor = median(means[Ours]), median(means[Base])
	res.OursStatements, res.OursRoundTrips = float64(stmts[Ours])/fn, float64(trips[Ours])/fn
	res.FloorStatements, res.FloorRoundTrips = float64(stmts[Base])/fn, float64(trips[Base])/fn
	return res, nil
}
